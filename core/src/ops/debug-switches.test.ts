import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { DebugSwitches, readDebugSwitches } from './debug-switches';
import { PinoLogger } from './logger';
import { ConfigBeanView } from '../config/config-bean-view';
import { parseConfig } from '../config/load';

/** A PinoLogger whose records land in an array. */
function capture(switches: DebugSwitches): { log: PinoLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const p = pino({ level: 'trace', base: undefined }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log: new PinoLogger(p, switches, 'server', undefined, undefined), lines };
}

/** The typed view of a config file's text. */
const reader = (text: string) => new ConfigBeanView(parseConfig(text, 'etc/config.tdsl'));

describe('DebugSwitches and PinoLogger', () => {
  it("reads the chapter's forms: a list, a comma string, true and false; 'server' by default", () => {
    assert.deepEqual(readDebugSwitches(reader('')).debug, ['server']);
    assert.deepEqual(readDebugSwitches(reader("debug = [ 'server', 'xmpp.XMPPIOService' ]")).debug, ['server', 'xmpp.XMPPIOService']);
    assert.deepEqual(readDebugSwitches(reader("debug = 'server, xmpp.impl'")).debug, ['server', 'xmpp.impl']);
    assert.deepEqual(readDebugSwitches(reader('debug = true')).debug, ['*']);
    assert.deepEqual(readDebugSwitches(reader('debug = false')).debug, []);
    assert.deepEqual(readDebugSwitches(reader("'debug-packages' = [ 'my-plugin' ]")).packages, ['my-plugin']);
    assert.throws(() => readDebugSwitches(reader("debug = [ [ 'server' ] ]")), /etc\/config.tdsl:1:\d+.*'debug' must be a list of names, e.g. \[ 'server', 'xmpp.XMPPIOService' \], got a list/);
  });

  it('logs FINE by namespace, component, plugin (xmpp.impl or debug-packages), and follows a run-time change', () => {
    const switches = new DebugSwitches(['server'], []);
    const { log, lines } = capture(switches);
    const kernel = log.child({ c: 'sess-man' });
    const plugin = log.child({ plugin: 'my-plugin' });
    const trace = log.child({ c: 'c2s', ns: 'xmpp.XMPPIOService' });
    kernel.debug('k1');
    plugin.debug('p1');
    trace.trace('t1');
    kernel.info('info always');
    assert.deepEqual(lines.map((l) => l.msg), ['info always'], "'server' alone keeps INFO");

    switches.set(['server', 'sess-man', 'xmpp.XMPPIOService'], ['my-plugin']);
    kernel.debug('k2');
    plugin.debug('p2');
    trace.trace('t2');
    log.child({ plugin: 'other' }).debug('not this one');
    assert.deepEqual(lines.slice(1).map((l) => [l.msg, l.level, l.ns ?? 'server']), [
      ['k2', 20, 'server'],
      ['p2', 20, 'xmpp.impl'],
      ['t2', 10, 'xmpp.XMPPIOService'],
    ]);

    switches.set(['xmpp.impl'], []);
    log.child({ plugin: 'other' }).debug('every plugin');
    kernel.debug('k3');
    assert.equal(lines.at(-1)!.msg, 'every plugin');
    assert.ok(switches.isFine('watchdog', 'watchdog', undefined) === false);
    switches.set(['xmpp.init'], []);
    assert.ok(switches.isFine('server', 'watchdog', undefined), "Tigase's xmpp.init names the watchdog");
  });
});
