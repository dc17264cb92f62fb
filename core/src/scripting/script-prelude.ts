/**
 * The script API as it exists *inside* the isolate. `installScriptApi` is never called in the host: its
 * source text (`Function.prototype.toString`) is evaluated in each fresh isolate, so it must not refer to
 * anything outside its own body (no imports, no module-level helpers). Everything it builds is plain JS
 * in the isolate; the only way out is the `host` dispatcher, which takes and returns JSON strings.
 *
 * The names follow Tigase's scripting API (tigase.server.Command, Packet, Iq, JID, BareJID, Element) so the
 * chapter's Groovy examples translate line by line; `sdk/script-api/script-api.d.ts` types it.
 */

/** The host dispatcher as seen inside the isolate (an isolated-vm Reference). */
export interface HostDispatcher {
  applySyncPromise(receiver: undefined, args: [string, string, string]): string;
}

/** Installs the API library on the isolate's global. Returns nothing; see `__starling_begin` / `__starling_finish`. */
export function installScriptApi(g: Record<string, unknown>): void {
  const NS_COMMANDS = 'http://jabber.org/protocol/commands';
  const NS_DATA = 'jabber:x:data';

  type Child = XElement | string;

  class XElement {
    name: string;
    attrs: Record<string, string>;
    children: Child[];
    /**
     * Tigase's overloads: (name), (name, cdata), (name, attNames, attValues), (name, cdata, attNames, attValues),
     * (name, children[], attNames, attValues); also (name, { attr: value }).
     */
    constructor(name: string, a?: unknown, b?: unknown, c?: unknown) {
      this.name = String(name);
      this.attrs = {};
      this.children = [];
      let names: unknown = undefined;
      let values: unknown = undefined;
      if (typeof a === 'string') {
        this.children.push(a);
        names = b;
        values = c;
      } else if (Array.isArray(a) && Array.isArray(b) && (c === undefined || Array.isArray(c))) {
        if (c === undefined) {
          names = a;
          values = b;
        } else {
          for (const ch of a) this.addChild(ch as XElement);
          names = b;
          values = c;
        }
      } else if (a && typeof a === 'object') {
        for (const k of Object.keys(a)) this.attrs[k] = String((a as Record<string, unknown>)[k]);
      }
      if (Array.isArray(names) && Array.isArray(values)) names.forEach((n, i) => (this.attrs[String(n)] = String(values[i])));
    }
    getName(): string {
      return this.name;
    }
    getXMLNS(): string | null {
      return this.attrs.xmlns ?? null;
    }
    getAttribute(name: string): string | null {
      return this.attrs[name] ?? null;
    }
    getAttributeStaticStr(name: string): string | null {
      return this.getAttribute(name);
    }
    setAttribute(name: string, value: string): void {
      this.attrs[name] = String(value);
    }
    removeAttribute(name: string): void {
      delete this.attrs[name];
    }
    getChild(name: string, xmlns?: string): XElement | null {
      for (const c of this.children) if (typeof c !== 'string' && c.name === name && (xmlns === undefined || c.attrs.xmlns === xmlns)) return c;
      return null;
    }
    getChildren(): XElement[] {
      return this.children.filter((c): c is XElement => typeof c !== 'string');
    }
    findChild(path: string[]): XElement | null {
      let e: XElement | null = this;
      for (const name of path.slice(path[0] === this.name ? 1 : 0)) {
        e = e.getChild(name);
        if (!e) return null;
      }
      return e;
    }
    addChild(child: XElement): this {
      if (!(child instanceof XElement)) throw new TypeError('addChild expects an Element');
      this.children.push(child);
      return this;
    }
    addChildren(children: XElement[]): this {
      for (const c of children) this.addChild(c);
      return this;
    }
    removeChild(child: XElement): boolean {
      const i = this.children.indexOf(child);
      if (i >= 0) this.children.splice(i, 1);
      return i >= 0;
    }
    getCData(): string | null {
      const t = this.children.filter((c) => typeof c === 'string').join('');
      return t === '' ? null : t;
    }
    setCData(text: string): void {
      this.children = this.children.filter((c) => typeof c !== 'string');
      this.children.push(String(text));
    }
    clone(): XElement {
      const e = new XElement(this.name, { ...this.attrs });
      for (const c of this.children) e.children.push(typeof c === 'string' ? c : c.clone());
      return e;
    }
    toString(): string {
      const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
      let s = '<' + this.name;
      for (const k of Object.keys(this.attrs)) s += ' ' + k + '="' + esc(this.attrs[k]) + '"';
      if (this.children.length === 0) return s + '/>';
      return s + '>' + this.children.map((c) => (typeof c === 'string' ? esc(c) : c.toString())).join('') + '</' + this.name + '>';
    }
    toTree(): unknown {
      return { name: this.name, attrs: this.attrs, children: this.children.map((c) => (typeof c === 'string' ? c : c.toTree())) };
    }
    static fromTree(t: { name: string; attrs: Record<string, string>; children: unknown[] }): XElement {
      const e = new XElement(t.name, t.attrs);
      for (const c of t.children) e.children.push(typeof c === 'string' ? c : XElement.fromTree(c as never));
      return e;
    }
  }

  class BareJID {
    constructor(
      readonly localpart: string | null,
      readonly domain: string,
    ) {}
    static bareJIDInstance(s: string, domain?: string): BareJID {
      if (domain !== undefined) return new BareJID(s || null, String(domain).toLowerCase());
      const j = JID.jidInstance(String(s));
      return j.getBareJID();
    }
    getLocalpart(): string | null {
      return this.localpart;
    }
    getDomain(): string {
      return this.domain;
    }
    equals(o: unknown): boolean {
      return String(o) === this.toString();
    }
    toString(): string {
      return this.localpart ? this.localpart + '@' + this.domain : this.domain;
    }
  }

  class JID {
    constructor(
      readonly localpart: string | null,
      readonly domain: string,
      readonly resource: string | null,
    ) {}
    /** Splits a JID string (the server normalises it again wherever it is used). */
    static jidInstance(s: string, domain?: string, resource?: string): JID {
      if (domain !== undefined) return new JID(s || null, String(domain).toLowerCase(), resource ?? null);
      const str = String(s).trim();
      const slash = str.indexOf('/');
      const head = slash < 0 ? str : str.slice(0, slash);
      const at = head.indexOf('@');
      const local = at < 0 ? null : head.slice(0, at).toLowerCase();
      const dom = (at < 0 ? head : head.slice(at + 1)).toLowerCase();
      if (dom === '' || local === '') throw new Error(`'${str}' is not a valid JID`);
      return new JID(local, dom, slash < 0 ? null : str.slice(slash + 1));
    }
    getLocalpart(): string | null {
      return this.localpart;
    }
    getDomain(): string {
      return this.domain;
    }
    getResource(): string | null {
      return this.resource;
    }
    getBareJID(): BareJID {
      return new BareJID(this.localpart, this.domain);
    }
    copyWithoutResource(): JID {
      return new JID(this.localpart, this.domain, null);
    }
    equals(o: unknown): boolean {
      return String(o) === this.toString();
    }
    toString(): string {
      const bare = this.localpart ? this.localpart + '@' + this.domain : this.domain;
      return this.resource ? bare + '/' + this.resource : bare;
    }
  }

  class Packet {
    constructor(readonly element: XElement) {}
    getElement(): XElement {
      return this.element;
    }
    getElemName(): string {
      return this.element.name;
    }
    getStanzaFrom(): JID | null {
      const f = this.element.attrs.from;
      return f ? JID.jidInstance(f) : null;
    }
    getStanzaTo(): JID | null {
      const t = this.element.attrs.to;
      return t ? JID.jidInstance(t) : null;
    }
    getStanzaId(): string | null {
      return this.element.attrs.id ?? null;
    }
    getType(): string | null {
      return this.element.attrs.type ?? null;
    }
    getAttributeStaticStr(name: string): string | null {
      return this.element.getAttribute(name);
    }
    /** The ad-hoc reply: an IQ result with a <command/> of the same node and session, and an empty form of `type` (none when null). */
    commandResult(type: string | null | undefined): Packet {
      const cmd = this.element.getChild('command', NS_COMMANDS);
      const attrs: Record<string, string> = { xmlns: NS_COMMANDS, node: cmd?.attrs.node ?? '', status: type === 'form' ? 'executing' : 'completed' };
      if (cmd?.attrs.sessionid) attrs.sessionid = cmd.attrs.sessionid;
      const reply = new XElement('command', attrs);
      if (type) reply.addChild(new XElement('x', { xmlns: NS_DATA, type: String(type) }));
      const iq = new XElement('iq', { type: 'result' });
      for (const k of ['id']) if (this.element.attrs[k] !== undefined) iq.attrs[k] = this.element.attrs[k];
      if (this.element.attrs.to) iq.attrs.from = this.element.attrs.to;
      if (this.element.attrs.from) iq.attrs.to = this.element.attrs.from;
      iq.addChild(reply);
      return new Packet(iq);
    }
    okResult(): Packet {
      return this.commandResult(null);
    }
    copyElementOnly(): Packet {
      return new Packet(this.element.clone());
    }
    toString(): string {
      return this.element.toString();
    }
  }

  const asElement = (p: unknown): XElement => {
    if (p instanceof Packet) return p.element;
    if (p instanceof XElement) return p;
    throw new TypeError('expected a Packet');
  };
  const commandOf = (p: unknown): XElement | null => asElement(p).getChild('command', NS_COMMANDS);
  /** The data form of the command; created (type result) when `create` and missing. */
  const formOf = (p: unknown, create: boolean): XElement | null => {
    const cmd = commandOf(p);
    if (!cmd) {
      if (create) throw new TypeError('the packet has no <command/>: build it with packet.commandResult(...)');
      return null;
    }
    let x = cmd.getChild('x', NS_DATA);
    if (!x && create) {
      x = new XElement('x', { xmlns: NS_DATA, type: 'result' });
      cmd.addChild(x);
    }
    return x;
  };
  const fieldOf = (p: unknown, name: string): XElement | null => {
    const x = formOf(p, false);
    if (!x) return null;
    for (const f of x.getChildren()) if (f.name === 'field' && f.attrs.var === name) return f;
    return null;
  };
  const valuesOf = (f: XElement | null): string[] | null => (f ? f.getChildren().filter((v) => v.name === 'value').map((v) => v.getCData() ?? '') : null);
  const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

  const putField = (p: unknown, name: string, type: string | null, label: string | null, values: string[], options?: { label: string | null; value: string }[]): XElement => {
    const x = formOf(p, true)!;
    const f = new XElement('field', { var: String(name) });
    if (type) f.attrs.type = String(type);
    if (label !== null && label !== undefined) f.attrs.label = String(label);
    for (const v of values) f.addChild(new XElement('value', v));
    for (const o of options ?? []) {
      const opt = new XElement('option', o.label !== null ? { label: o.label } : {});
      opt.addChild(new XElement('value', o.value));
      f.addChild(opt);
    }
    const old = x.children.findIndex((c) => typeof c !== 'string' && c.name === 'field' && c.attrs.var === String(name));
    if (old >= 0) x.children[old] = f;
    else x.children.push(f);
    return f;
  };

  const toValues = (v: unknown): string[] => {
    if (Array.isArray(v)) return v.map(str);
    if (v === null || v === undefined) return [];
    return [String(v)];
  };
  /** Options from parallel label/value arrays (Tigase) or from strings / { label, value } objects. */
  const toOptions = (labels: unknown[] | undefined, values: unknown[]): { label: string | null; value: string }[] =>
    values.map((v, i) => {
      if (v && typeof v === 'object') {
        const o = v as { label?: unknown; value?: unknown };
        return { label: o.label === undefined ? null : str(o.label), value: str(o.value) };
      }
      return { label: labels && labels[i] !== undefined ? str(labels[i]) : str(v), value: str(v) };
    });

  const Command = {
    DataType: Object.freeze({ form: 'form', submit: 'submit', result: 'result', cancel: 'cancel' }),
    Action: Object.freeze({ execute: 'execute', next: 'next', prev: 'prev', complete: 'complete', cancel: 'cancel' }),
    Status: Object.freeze({ executing: 'executing', completed: 'completed', canceled: 'canceled' }),
    getFieldValue(p: unknown, name: string): string | null {
      const v = valuesOf(fieldOf(p, name));
      return v && v.length > 0 ? v[0] : null;
    },
    getFieldValues(p: unknown, name: string): string[] | null {
      return valuesOf(fieldOf(p, name));
    },
    getCheckBoxFieldValue(p: unknown, name: string): boolean {
      const v = Command.getFieldValue(p, name);
      return v === 'true' || v === '1';
    },
    getFieldKeys(p: unknown): string[] {
      const x = formOf(p, false);
      return x ? x.getChildren().filter((f) => f.name === 'field' && f.attrs.var).map((f) => f.attrs.var) : [];
    },
    getAction(p: unknown): string | null {
      return commandOf(p)?.attrs.action ?? null;
    },
    getNode(p: unknown): string | null {
      return commandOf(p)?.attrs.node ?? null;
    },
    getSessionId(p: unknown): string | null {
      return commandOf(p)?.attrs.sessionid ?? null;
    },
    /**
     * addFieldValue(p, name, value[, type[, label[, options]]]) — options: strings or { label, value };
     * or Tigase's list form addFieldValue(p, name, value, label, labels[], options[][, type]).
     * An array `value` gives several <value/>s.
     */
    addFieldValue(p: unknown, name: string, value: unknown, a?: unknown, b?: unknown, c?: unknown, d?: unknown): XElement {
      if (Array.isArray(b)) {
        const type = typeof d === 'string' ? d : Array.isArray(value) ? 'list-multi' : 'list-single';
        return putField(p, name, type, a === undefined ? null : str(a), toValues(value), toOptions(b, Array.isArray(c) ? c : b));
      }
      const options = Array.isArray(c) ? toOptions(undefined, c) : undefined;
      const type = typeof a === 'string' && a !== '' ? a : options ? 'list-single' : null;
      return putField(p, name, type, b === undefined || b === null ? null : str(b), toValues(value), options);
    },
    addFieldMultiValue(p: unknown, name: string, values: unknown, label?: string): XElement {
      return putField(p, name, 'text-multi', label ?? null, toValues(values).flatMap((v) => v.split('\n')));
    },
    addTextField(p: unknown, name: string, text: unknown): XElement {
      return putField(p, name, 'fixed', null, toValues(text));
    },
    addHiddenField(p: unknown, name: string, value: unknown): XElement {
      return putField(p, name, 'hidden', null, toValues(value));
    },
    addCheckBoxField(p: unknown, name: string, value: unknown, label?: string): XElement {
      return putField(p, name, 'boolean', label ?? null, [value === true || value === 'true' || value === '1' ? 'true' : 'false']);
    },
    removeFieldValue(p: unknown, name: string): boolean {
      const f = fieldOf(p, name);
      return f ? formOf(p, false)!.removeChild(f) : false;
    },
    addTitle(p: unknown, text: unknown): void {
      const x = formOf(p, true)!;
      const old = x.getChild('title');
      if (old) x.removeChild(old);
      x.children.unshift(new XElement('title', str(text)));
    },
    addInstructions(p: unknown, text: unknown): void {
      const x = formOf(p, true)!;
      const all = x.children.filter((c) => typeof c !== 'string' && (c.name === 'title' || c.name === 'instructions'));
      const el = new XElement('instructions', str(text));
      x.children.splice(all.length ? x.children.indexOf(all[all.length - 1]) + 1 : 0, 0, el);
    },
    /** A XEP-0050 <note/> (info, warn or error). */
    addNote(p: unknown, text: unknown, type?: string): void {
      const cmd = commandOf(p);
      if (!cmd) throw new TypeError('the packet has no <command/>');
      cmd.addChild(new XElement('note', str(text), ['type'], [type ?? 'info']));
    },
    /** Offers an action to the client (next, prev, complete); the first one added is the default. */
    addAction(p: unknown, action: string): void {
      const cmd = commandOf(p);
      if (!cmd) throw new TypeError('the packet has no <command/>');
      let actions = cmd.getChild('actions');
      if (!actions) {
        actions = new XElement('actions', { execute: String(action) });
        cmd.children.unshift(actions);
      }
      if (!actions.getChild(String(action))) actions.addChild(new XElement(String(action)));
    },
    setStatus(p: unknown, status: string): void {
      const cmd = commandOf(p);
      if (!cmd) throw new TypeError('the packet has no <command/>');
      cmd.attrs.status = String(status);
    },
  };

  const Iq = {
    commandResultForm: (p: Packet) => p.commandResult('form'),
    commandResultResult: (p: Packet) => p.commandResult('result'),
  };

  /** API names: a script may declare its own `log`, `users`… (each run has a fresh isolate, so nothing leaks). */
  const define = (name: string, value: unknown) => Object.defineProperty(g, name, { value, writable: true, enumerable: false, configurable: true });
  /** The host protocol, which scripts cannot replace. */
  const lock = (name: string, value: unknown) => Object.defineProperty(g, name, { value, writable: false, enumerable: false, configurable: false });
  define('Element', XElement);
  define('Packet', Packet);
  define('JID', JID);
  define('BareJID', BareJID);
  define('Command', Command);
  define('Iq', Iq);

  let original: Packet | null = null;

  /** Per run: the command packet, the component and the capabilities (name → methods) this component grants. */
  lock('__starling_begin', (init: string, host: HostDispatcher) => {
    const data = JSON.parse(init) as { packet: never; componentName: string; capabilities: Record<string, string[]> };
    const call = (cap: string, method: string, args: unknown[]): unknown => {
      const out = JSON.parse(host.applySyncPromise(undefined, [cap, method, JSON.stringify(args)])) as { ok?: unknown; error?: string };
      if (out.error !== undefined) throw new Error(out.error);
      return out.ok;
    };
    original = new Packet(XElement.fromTree(data.packet));
    g.packet = original;
    g.result = '';
    define('componentName', data.componentName);
    for (const cap of Object.keys(data.capabilities)) {
      const obj: Record<string, (...args: unknown[]) => unknown> = {};
      for (const m of data.capabilities[cap]) obj[m] = (...args: unknown[]) => call(cap, m, args);
      define(cap, Object.freeze(obj));
    }
    define('isAllowedForDomain', (domain: string) => call('acl', 'isAllowedForDomain', [domain]) === true);
    define('log', (...args: unknown[]) => void call('log', 'info', [args.map(str).join(' ')]));
  });

  /**
   * Applies Tigase's return conventions to the script's value; returns JSON for the host, or only the size
   * when the result passes `maxSize` (so that an oversized result is never copied out of the isolate).
   */
  lock('__starling_finish', (value: unknown, maxSize: number): string => {
    const out = outcome(value);
    const size = resultSize(out);
    return size > maxSize ? JSON.stringify({ kind: 'oversize', size }) : JSON.stringify(out);
  });

  /** UTF-8 bytes of a string (a bare isolate has no TextEncoder). */
  const utf8Bytes = (s: string): number => {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
        n += 4;
        i++;
      } else n += 3;
    }
    return n;
  };

  /** A result's cost on the wire, in bytes: each line of a text result becomes a <value/> of its own. */
  const resultSize = (out: { kind: string; text?: string; packets?: unknown[] }): number => {
    if (out.kind === 'packets') return utf8Bytes(JSON.stringify(out.packets));
    if (out.kind !== 'text') return 0;
    const text = out.text!;
    let lines = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    return utf8Bytes(text) + lines * '<value></value>'.length;
  };

  const outcome = (value: unknown): { kind: string; text?: string; packets?: unknown[] } => {
    let v = value;
    if (v === undefined || v === null) v = g.result === '' ? null : g.result;
    if (v === undefined || v === null) v = g.packet;
    if (v === original || v === undefined || v === null) return { kind: 'none' };
    if (v instanceof Packet) return { kind: 'packets', packets: [v.element.toTree()] };
    if (Array.isArray(v) && v.length > 0 && v.every((x) => x instanceof Packet)) return { kind: 'packets', packets: v.map((x: Packet) => x.element.toTree()) };
    let text: string;
    if (Array.isArray(v)) text = v.map(str).join('\n');
    else if (typeof v === 'object') {
      try {
        text = JSON.stringify(v, null, 2) ?? String(v);
      } catch {
        text = String(v);
      }
    } else text = String(v);
    return { kind: 'text', text };
  };
}
