import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Element, NS_COMMANDS, NS_DATA_FORMS, xml } from '@starling/sdk';
import { type ListPageContext, listPage, pluginsPage } from './list-pages';

const SM = 'sess-man@example.com';

/** A plugins-list answer as sess-man sends it: a note and a reported table. */
function listReply(rows: [string, string][]) {
  const field = (v: string, value: string) => xml('field', { var: v }, xml('value', {}, value));
  return xml(
    'iq',
    { type: 'result' },
    xml(
      'command',
      { xmlns: NS_COMMANDS, node: 'plugins-list', status: 'completed' },
      xml(
        'x',
        { xmlns: NS_DATA_FORMS, type: 'result' },
        xml('field', { var: 'Note', type: 'fixed' }, xml('value', {}, 'n of m')),
        xml('reported', {}, xml('field', { var: 'plugin', label: 'Plugin' }), xml('field', { var: 'state', label: 'State' })),
        rows.map(([id, state]) => xml('item', {}, field('plugin', id), field('state', state))),
      ),
    ),
  );
}

function context(nodes: string[], reply: Element | null): ListPageContext & { runs: string[] } {
  const runs: string[] = [];
  return {
    runs,
    csrf: 'tok',
    components: [{ jid: SM, description: 'Session manager', commands: nodes.map((node) => ({ node, name: node })) }],
    run: async (jid, node) => (runs.push(`${jid} ${node}`), reply),
    href: (jid, node) => `/admin/commands/${encodeURIComponent(jid)}/${encodeURIComponent(node)}`,
  };
}

describe('the plugins page', () => {
  it('offers per row the actions its state allows and the JID may run, each posting the plugin id with the CSRF token', async () => {
    const ctx = context(['plugins-list', 'plugin-reload', 'plugin-enable'], listReply([['ping', 'loaded'], ['last', 'disabled']]));
    const page = await pluginsPage(ctx, 'example.com');
    assert.deepEqual(ctx.runs, [`${SM} plugins-list`]);
    const rows = page.html.split('<tr>').slice(2);
    assert.match(rows[0], /<td>ping<\/td>.*value="ping">Reload<\/button>/);
    assert.doesNotMatch(rows[0], /Disable|Enable/, 'plugin-disable is not among the JID’s commands; Enable does not apply to a loaded plugin');
    assert.match(rows[1], /action="\/admin\/commands\/sess-man%40example.com\/plugin-enable".*name="__csrf" value="tok".*name="plugin" value="last">Enable/);
  });

  it('says so when the JID may not list plugins, and shows an IQ error', async () => {
    assert.match((await pluginsPage(context(['plugin-reload'], null), 'example.com')).html, /may not list the plugins/);
    const err = xml('iq', { type: 'error' }, xml('error', { type: 'auth' }, xml('forbidden', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' })));
    const page = await pluginsPage(context(['plugins-list'], err), 'example.com');
    assert.equal(page.status, 403);
    assert.match(page.html, /Error: forbidden/);
  });

  it('links back only to its own list pages', () => {
    assert.equal(listPage('/admin/plugins'), '/admin/plugins');
    assert.equal(listPage('https://evil.example/'), undefined);
  });
});
