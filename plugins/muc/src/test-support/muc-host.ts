import * as path from 'node:path';
import type { Element } from '@starling/sdk';
import { createTestHost, loadPluginPackage, type TestHost } from '@starling/sdk/testing';
import { NS_MUC, NS_MUC_OWNER, NS_MUC_USER } from '../muc-ns';

export const MUC = 'muc.localhost';

export function mucHost(config: Record<string, unknown> = {}, admins: string[] = []): Promise<TestHost> {
  return createTestHost({ plugins: [loadPluginPackage(path.join(__dirname, '..', '..'))], config: { muc: config }, admins });
}

/** The status codes of a room presence or message. */
export function codes(s: Element): string[] {
  return (s.getChild('x', NS_MUC_USER)?.getChildren('status') ?? []).map((c) => c.attrs.code!).sort();
}

export function item(s: Element): Record<string, string | undefined> {
  return s.getChild('x', NS_MUC_USER)?.getChild('item')?.attrs ?? {};
}

export function errorOf(s: Element | undefined): string | undefined {
  return s?.getChild('error')?.getChildElements()[0]?.name;
}

/** What one recipient got. */
export function to(out: Element[], jid: string): Element[] {
  return out.filter((s) => s.attrs.to === jid);
}

/** Joins (creating the room when new); resolves what was emitted. */
export function join(host: TestHost, user: string, room: string, nick: string, inner = ''): Promise<Element[]> {
  return host.inject(`<presence from='${user}' to='${room}@${MUC}/${nick}'><x xmlns='${NS_MUC}'>${inner}</x></presence>`);
}

/** Creates an instant room: join, then the empty submitted form (§10.1.2). */
export async function instantRoom(host: TestHost, owner: string, room: string, nick: string): Promise<void> {
  await join(host, owner, room, nick);
  await submitConfig(host, owner, room, {});
}

export async function submitConfig(host: TestHost, owner: string, room: string, fields: Record<string, string>): Promise<Element> {
  const f = Object.entries(fields)
    .map(([k, v]) => `<field var='${k}'><value>${v}</value></field>`)
    .join('');
  const [reply] = await host.inject(
    `<iq type='set' id='cfg' from='${owner}' to='${room}@${MUC}'><query xmlns='${NS_MUC_OWNER}'><x xmlns='jabber:x:data' type='submit'>${f}</x></query></iq>`,
  );
  return reply;
}

export function say(host: TestHost, user: string, room: string, body: string): Promise<Element[]> {
  return host.inject(`<message type='groupchat' id='m-${body}' from='${user}' to='${room}@${MUC}'><body>${body}</body></message>`);
}
