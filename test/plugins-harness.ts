import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type TestClient, xml, type XmppElement } from './harness/clients';
import { REPO } from './harness/server';

/** The SDK's example plugin package (built by the root tsconfig). */
export const HELP_BOT_DIR = join(REPO, 'sdk/examples/help-bot');
export const NS_HELP_BOT = 'urn:starling:help-bot:0';

/** Copies a built plugin package (package.json + dist/) into a plugin directory, as an operator would. */
export function installPackage(from: string, pluginDir: string, name: string): string {
  const to = join(pluginDir, name);
  mkdirSync(to, { recursive: true });
  cpSync(join(from, 'dist'), join(to, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.test.js') && !src.endsWith('.tsbuildinfo') });
  cpSync(join(from, 'package.json'), join(to, 'package.json'));
  return to;
}

/** Polls until `probe` resolves true; resolves the time it took, rejects after the timeout. */
export async function within(ms: number, what: string, probe: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await probe().catch(() => false)) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sends an IQ and resolves the reply, error replies included (instead of rejecting). */
export function iqRaw(c: TestClient, to: string, payload: XmppElement, timeoutMs = 5000): Promise<XmppElement> {
  const id = 'p' + Math.random().toString(36).slice(2);
  const reply = c.waitFor((s) => s.name === 'iq' && s.attrs.id === id, timeoutMs, `reply to ${id}`);
  void c.send(xml('iq', { type: 'get', id, to }, payload));
  return reply;
}

/** Asks the help bot at `to` a chat question; resolves the body of its answer. */
export async function askBot(c: TestClient, to: string, body: string, timeoutMs = 5000): Promise<string> {
  const id = 'm' + Math.random().toString(36).slice(2);
  const reply = c.waitFor((s) => s.name === 'message' && s.attrs.from === to && s.getChildText('body') !== null, timeoutMs, `answer to ${body}`);
  await c.send(xml('message', { type: 'chat', id, to }, xml('body', {}, body)));
  return (await reply).getChildText('body') ?? '';
}
