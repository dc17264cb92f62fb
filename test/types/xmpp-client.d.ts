// Minimal typings for the parts of @xmpp/client (0.14, ships no .d.ts) the tests use.
declare module '@xmpp/client' {
  import type { EventEmitter } from 'node:events';
  export interface XmppElement {
    name: string;
    attrs: Record<string, string>;
    children: (XmppElement | string)[];
    is(name: string, xmlns?: string): boolean;
    getChild(name: string, xmlns?: string): XmppElement | undefined;
    getChildren(name: string, xmlns?: string): XmppElement[];
    getChildText(name: string, xmlns?: string): string | null;
    getChildElements(): XmppElement[];
    text(): string;
    toString(): string;
  }
  export interface XmppClient extends EventEmitter {
    jid: { toString(): string; local: string; domain: string; resource: string } | null;
    status: string;
    start(): Promise<unknown>;
    stop(): Promise<void>;
    send(el: XmppElement): Promise<void>;
    iqCaller: { request(el: XmppElement, timeout?: number): Promise<XmppElement> };
    iqCallee: { get(ns: string, name: string, h: (ctx: unknown) => unknown): void; set(ns: string, name: string, h: (ctx: unknown) => unknown): void };
    reconnect: { stop(): void };
    socket: unknown;
    write(s: string): Promise<void>;
  }
  export function client(opts: {
    service: string;
    domain?: string;
    resource?: string;
    /** ms each connection step may take (default 2000). */
    timeout?: number;
    username?: string;
    password?: string;
    credentials?: (auth: (c: { username: string; password: string }, mech?: string) => Promise<void>, mechanisms: string[]) => Promise<void>;
  }): XmppClient;
  export function xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: (XmppElement | string | undefined)[]): XmppElement;
  export function jid(s: string): { toString(): string };
}
