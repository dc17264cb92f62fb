// A minimal XMPP client for the load generator: raw TCP, STARTTLS or TLS from the first byte (`tls`),
// SCRAM-SHA-1 or SCRAM-SHA-256, bind, roster get, presence, chat messages. No XML parser: a tiny splitter cuts the server's stream into top-level stanzas and
// the handlers look at them as strings. Fast enough that one worker process drives thousands of clients.
import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export const DOMAIN = 'localhost';
const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';

/** Microseconds on CLOCK_MONOTONIC: the same clock in every process of the machine. */
export const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Cuts a server's XMPP stream into top-level stanzas. Handles the XML declaration, the stream header
 * (reported as '<stream:stream'), self-closing and nested elements, and chunk boundaries anywhere.
 */
export class StanzaSplitter {
  buf = '';
  depth = 0;
  /** Start of the stanza being collected in buf. */
  start = -1;
  /** Where scanning resumes in buf. */
  pos = 0;

  constructor(onStanza) {
    this.onStanza = onStanza;
  }

  reset() {
    this.buf = '';
    this.depth = 0;
    this.start = -1;
    this.pos = 0;
  }

  write(chunk) {
    let buf = (this.buf += chunk);
    let pos = this.pos;
    for (;;) {
      const lt = buf.indexOf('<', pos);
      if (lt === -1) {
        pos = buf.length;
        break;
      }
      const gt = buf.indexOf('>', lt);
      if (gt === -1) {
        pos = lt;
        break;
      }
      const c1 = buf.charCodeAt(lt + 1);
      pos = gt + 1;
      if (c1 === 63 /* ? */) continue;
      if (c1 === 47 /* / */) {
        if (this.depth === 0) {
          this.onStanza('</stream:stream>');
          continue;
        }
        if (--this.depth === 0) {
          const s = buf.slice(this.start, pos);
          this.start = -1;
          if (this.onStanza(s) === false) return;
          buf = this.buf;
        }
        continue;
      }
      if (this.depth === 0 && buf.startsWith('<stream:stream', lt)) {
        this.onStanza('<stream:stream');
        buf = this.buf;
        continue;
      }
      const selfClosing = buf.charCodeAt(gt - 1) === 47;
      if (this.depth === 0) {
        if (selfClosing) {
          if (this.onStanza(buf.slice(lt, pos)) === false) return;
          buf = this.buf;
          continue;
        }
        this.start = lt;
      }
      if (!selfClosing) this.depth++;
    }
    // Drop what is consumed, keep the stanza in progress.
    const keep = this.start !== -1 ? this.start : pos;
    if (keep > 0) {
      this.buf = buf.slice(keep);
      if (this.start !== -1) this.start = 0;
      this.pos = pos - keep;
    } else this.pos = pos;
  }
}

/** The SCRAM variants the load generator speaks: mechanism name, digest and key length. */
export const SCRAM = {
  sha1: { mechanism: 'SCRAM-SHA-1', digest: 'sha1', length: 20 },
  sha256: { mechanism: 'SCRAM-SHA-256', digest: 'sha256', length: 32 },
};

/** SCRAM keys per (hash, salt, iterations, password): a real client caches them too, so a login costs hashes, not PBKDF2. */
export class ScramCache {
  map = new Map();
  pbkdf2Runs = 0;
  async keys(password, salt, iterations, scram = SCRAM.sha1) {
    const k = (scram.digest === 'sha1' ? '' : scram.digest + '|') + salt + '|' + iterations + '|' + password;
    let v = this.map.get(k);
    if (!v) {
      const salted = await new Promise((res, rej) =>
        pbkdf2(password, Buffer.from(salt, 'base64'), iterations, scram.length, scram.digest, (e, b) => (e ? rej(e) : res(b))),
      );
      this.pbkdf2Runs++;
      const clientKey = createHmac(scram.digest, salted).update('Client Key').digest();
      v = { clientKey, storedKey: createHash(scram.digest).update(clientKey).digest() };
      this.map.set(k, v);
    }
    return v;
  }
  toJSON() {
    const o = {};
    for (const [k, v] of this.map) o[k] = [v.clientKey.toString('base64'), v.storedKey.toString('base64')];
    return o;
  }
  load(o) {
    for (const k in o) this.map.set(k, { clientKey: Buffer.from(o[k][0], 'base64'), storedKey: Buffer.from(o[k][1], 'base64') });
  }
}

function b64text(stanza) {
  const a = stanza.indexOf('>');
  const b = stanza.lastIndexOf('</');
  return a === -1 || b === -1 || b < a ? '' : stanza.slice(a + 1, b).trim();
}

function streamHeader() {
  return `<?xml version='1.0'?><stream:stream to='${DOMAIN}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`;
}

/**
 * TLS sessions per account, as a reconnecting client keeps them: the next login of the account offers
 * the server's last session ticket (TLS 1.3 resumption: no certificate signature, no certificate sent).
 */
export class TlsSessions {
  map = new Map();
  resumed = 0;
  get(user) {
    return this.map.get(user);
  }
  set(user, session) {
    this.map.set(user, session);
  }
}

/**
 * One client connection. `login()` resolves when the roster result has arrived and initial presence is
 * sent; afterwards `onMessage(body, stanza)` sees every incoming chat message. `tls`: 'none' (plain TCP),
 * 'starttls' (RFC 6120 STARTTLS before SASL) or 'direct' (TLS from the first byte, XEP-0368);
 * `sessions`: a TlsSessions to resume TLS sessions from (none: every login is a full handshake);
 * `scram`: 'sha1' (SCRAM-SHA-1) or 'sha256' (SCRAM-SHA-256).
 */
export class Client {
  constructor({ host, port, localAddress, user, password, resource, cache, onMessage, roster = true, presence = true, tls = 'none', sessions, scram = 'sha1' }) {
    this.opts = { host, port, localAddress };
    this.scram = SCRAM[scram];
    this.tls = tls;
    this.sessions = sessions;
    this.user = user;
    this.password = password;
    this.resource = resource;
    this.cache = cache;
    this.onMessage = onMessage;
    this.roster = roster;
    this.presence = presence;
    this.jid = `${user}@${DOMAIN}/${resource}`;
    this.socket = null;
    this.splitter = new StanzaSplitter((s) => this.onStanza(s));
    this.step = 'closed';
    this.errors = 0;
  }

  login() {
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      const { host, port, localAddress } = this.opts;
      const s =
        this.tls === 'direct'
          ? tlsConnect({ host, port, localAddress, ...this.tlsOptions() }, () => this.start())
          : connect({ host, port, localAddress }, () => this.start());
      s.setNoDelay(true);
      this.use(s);
    });
  }

  tlsOptions() {
    return { servername: DOMAIN, rejectUnauthorized: false, session: this.sessions?.get(this.user) };
  }

  use(s) {
    this.socket = s;
    s.setEncoding('utf8');
    s.on('data', (d) => this.splitter.write(d));
    s.on('error', (e) => this.fail(e.code || e.message));
    s.on('close', () => {
      if (this.step !== 'online' && this.step !== 'closing') this.fail('closed in ' + this.step);
      this.step = 'closed';
    });
    if (s.encrypted) {
      if (this.sessions) s.on('session', (session) => this.sessions.set(this.user, session));
    }
  }

  start() {
    if (this.sessions && this.socket.encrypted && this.socket.isSessionReused()) this.sessions.resumed++;
    this.step = 'features1';
    this.write(streamHeader());
  }

  /** `<proceed/>`: the same TCP connection continues as TLS; the stream starts again. */
  upgrade() {
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    raw.on('error', () => {});
    this.splitter.reset();
    this.step = 'handshake';
    this.use(tlsConnect({ socket: raw, ...this.tlsOptions() }, () => this.start()));
  }

  fail(reason) {
    if (this.reject) {
      const r = this.reject;
      this.resolve = this.reject = null;
      r(new Error(`${this.user}: ${reason}`));
      this.socket?.destroy();
    }
  }

  write(s) {
    return this.socket.write(s);
  }

  onStanza(s) {
    if (this.step === 'online') {
      if (s.startsWith('<message')) {
        const b = s.indexOf('<body>');
        if (b !== -1 && s.indexOf("type='error'") === -1 && s.indexOf('type="error"') === -1) {
          this.onMessage?.(s.slice(b + 6, s.indexOf('</body>', b)), s);
        } else this.errors++;
      } else if (s === '</stream:stream>') this.socket.end();
      return;
    }
    if (s === '<stream:stream') return;
    if (s.startsWith('<stream:error') || s === '</stream:stream>') return this.fail('stream error ' + s.slice(0, 200));
    switch (this.step) {
      case 'features1':
        if (!s.startsWith('<stream:features')) return;
        if (this.tls === 'starttls' && !this.socket.encrypted) {
          if (!s.includes('<starttls')) return this.fail('no STARTTLS offered: ' + s);
          this.step = 'proceed';
          this.write(`<starttls xmlns='${NS_TLS}'/>`);
          return;
        }
        if (!s.includes(`${this.scram.mechanism}<`)) return this.fail(`no ${this.scram.mechanism} offered: ` + s);
        this.cnonce = randomBytes(12).toString('base64');
        this.clientFirstBare = `n=${this.user},r=${this.cnonce}`;
        this.step = 'challenge';
        this.write(`<auth xmlns='${NS_SASL}' mechanism='${this.scram.mechanism}'>${Buffer.from('n,,' + this.clientFirstBare).toString('base64')}</auth>`);
        return;
      case 'proceed':
        if (!s.startsWith('<proceed')) return this.fail('STARTTLS: ' + s.slice(0, 200));
        this.upgrade();
        return false;
      case 'challenge': {
        if (!s.startsWith('<challenge')) return this.fail('SASL: ' + s.slice(0, 200));
        const serverFirst = Buffer.from(b64text(s), 'base64').toString();
        const f = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
        if (!f.r?.startsWith(this.cnonce)) return this.fail('SCRAM nonce mismatch');
        this.step = 'pbkdf2';
        this.cache.keys(this.password, f.s, Number(f.i), this.scram).then(({ clientKey, storedKey }) => {
          if (this.step !== 'pbkdf2') return;
          const finalBare = `c=biws,r=${f.r}`;
          const authMessage = `${this.clientFirstBare},${serverFirst},${finalBare}`;
          const sig = createHmac(this.scram.digest, storedKey).update(authMessage).digest();
          for (let i = 0; i < sig.length; i++) sig[i] ^= clientKey[i];
          this.step = 'success';
          this.write(`<response xmlns='${NS_SASL}'>${Buffer.from(`${finalBare},p=${sig.toString('base64')}`).toString('base64')}</response>`);
        }, (e) => this.fail(e.message));
        return;
      }
      case 'success':
        if (!s.startsWith('<success')) return this.fail('SASL: ' + s.slice(0, 200));
        this.step = 'features2';
        this.splitter.reset();
        this.write(streamHeader());
        return false;
      case 'features2':
        if (!s.startsWith('<stream:features')) return;
        this.step = 'bind';
        this.write(`<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${this.resource}</resource></bind></iq>`);
        return;
      case 'bind':
        if (!s.startsWith('<iq')) return;
        if (s.includes("type='error'") || s.includes('type="error"')) return this.fail('bind: ' + s);
        if (this.roster) {
          this.step = 'roster';
          this.write(`<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>`);
        } else this.online();
        return;
      case 'roster':
        if (!s.startsWith('<iq')) return;
        if (s.includes("type='error'") || s.includes('type="error"')) this.rosterError = true;
        this.online();
        return;
    }
  }

  online() {
    this.step = 'online';
    if (this.presence) this.write('<presence/>');
    const r = this.resolve;
    this.resolve = this.reject = null;
    r?.();
  }

  sendChat(toJid, body) {
    return this.socket.write(`<message to='${toJid}' type='chat'><body>${body}</body></message>`);
  }

  close() {
    if (!this.socket || this.socket.destroyed) return;
    this.step = 'closing';
    this.socket.end('</stream:stream>');
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }
}
