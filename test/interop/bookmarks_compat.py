#!/usr/bin/python3
"""XEP-0402 with XEP-0048 compatibility: slixmpp's xep_0048 (over xep_0049 private XML storage) on one resource
of an account, slixmpp's xep_0060 on `urn:xmpp:bookmarks:1` (XEP-0402, +notify through xep_0163) on another.
- The account advertises urn:xmpp:bookmarks:1#compat.
- Old stores two conferences (and a URL) in private storage; New hears both as PEP events and reads them as
  XEP-0402 items.
- New publishes a third bookmark the XEP-0402 way; Old reads all three from private storage.
- Old stores one conference only; New hears the others retracted and reads one item.
- Pep48 (xep_0048 over xep_0223, XEP-0048 in the PEP node storage:bookmarks) stores two conferences; New hears
  the new one, Old reads both; New publishes another the XEP-0402 way, Pep48 reads all three.
Prints one JSON object with what each step saw."""
import asyncio
import json
import ssl
import sys

import slixmpp
from slixmpp.xmlstream import ET

from pubsub_forms import BOOKMARK_OPTIONS, publish_options

BOOKMARKS = 'urn:xmpp:bookmarks:1'


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password, plugins):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        for p in plugins:
            self.register_plugin(p)
        self.ready = asyncio.Event()
        self.events = []
        self.arrived = asyncio.Event()
        self.add_event_handler('session_start', self.start)
        self.add_event_handler('pubsub_publish', lambda m: self.seen('publish', m))
        self.add_event_handler('pubsub_retract', lambda m: self.seen('retract', m))

    async def start(self, _):
        await self.get_roster()
        self.send_presence()
        self.ready.set()

    def seen(self, kind, msg):
        items = msg['pubsub_event']['items']
        if items['node'] != BOOKMARKS:
            return
        for child in items.xml:
            self.events.append([kind, child.get('id')])
        self.arrived.set()

    async def wait_event(self, event, timeout=10):
        async def until():
            while event not in self.events:
                self.arrived.clear()
                await self.arrived.wait()
        await asyncio.wait_for(until(), timeout)
        return event

    async def wait_events(self, n, timeout=10):
        async def until():
            while len(self.events) < n:
                self.arrived.clear()
                await self.arrived.wait()
        await asyncio.wait_for(until(), timeout)
        return self.events[:n]


async def login(port, jid, password, plugins):
    c = Client(jid, password, plugins)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.ready.wait(), 20)
    return c


def conferences(result):
    return rows(result['private']['bookmarks'])


def rows(bookmarks):
    return sorted([c['jid'].full if hasattr(c['jid'], 'full') else str(c['jid']), c['name'], c['nick'], c['autojoin']] for c in bookmarks['conferences'])


async def pep_items(client, bare):
    res = await client['xep_0060'].get_items(bare, BOOKMARKS)
    out = []
    for i in res['pubsub']['items']:
        conf = i.xml.find('{%s}conference' % BOOKMARKS)
        nick = conf.find('{%s}nick' % BOOKMARKS)
        out.append([i['id'], conf.get('name'), nick.text if nick is not None else None, conf.get('autojoin')])
    return sorted(out)


async def main(port, bare, password):
    out = {}
    old = await login(port, bare + '/old', password, ('xep_0030', 'xep_0004', 'xep_0045', 'xep_0049', 'xep_0060', 'xep_0163', 'xep_0223', 'xep_0048'))
    new = await login(port, bare + '/new', password, ('xep_0030', 'xep_0004', 'xep_0060', 'xep_0115', 'xep_0163'))
    new['xep_0163'].add_interest(BOOKMARKS)
    await new['xep_0115'].update_caps(broadcast=True)
    await asyncio.sleep(1.5)
    info = await new['xep_0030'].get_info(jid=bare)
    out['features'] = sorted(f for f in info['disco_info']['features'] if f.startswith(BOOKMARKS))

    stored = old['xep_0048'].stanza.Bookmarks()
    stored.add_conference('room1@muc.example.org', 'alice', name='Room 1', autojoin=True)
    stored.add_conference('room2@muc.example.org', 'al', name='Room 2', autojoin=False, password='secret')
    stored.add_url('https://example.org/', name='Example')
    await old['xep_0048'].set_bookmarks(stored)
    out['events_after_legacy_store'] = sorted(await new.wait_events(2))
    out['pep_after_legacy_store'] = await pep_items(new, bare)

    conf = ET.fromstring('<conference xmlns="%s" name="Room 3" autojoin="true"><nick>a3</nick></conference>' % BOOKMARKS)
    await new['xep_0060'].publish(bare, BOOKMARKS, id='room3@muc.example.org', payload=conf,
                                  options=publish_options(BOOKMARK_OPTIONS))
    out['legacy_after_pep_publish'] = conferences(await old['xep_0048'].get_bookmarks())

    fewer = old['xep_0048'].stanza.Bookmarks()
    fewer.add_conference('room3@muc.example.org', 'a3', name='Room 3', autojoin=True)
    await old['xep_0048'].set_bookmarks(fewer)
    out['events_after_legacy_replace'] = sorted(e for e in await new.wait_events(5) if e[0] == 'retract')
    out['pep_after_legacy_replace'] = await pep_items(new, bare)
    out['legacy_after_legacy_replace'] = conferences(await old['xep_0048'].get_bookmarks())

    # XEP-0048 stored in PEP (XEP-0223), kept in step too.
    pep48 = await login(port, bare + '/pep48', password, ('xep_0030', 'xep_0004', 'xep_0045', 'xep_0049', 'xep_0060', 'xep_0163', 'xep_0223', 'xep_0048'))
    in_pep = pep48['xep_0048'].stanza.Bookmarks()
    in_pep.add_conference('room3@muc.example.org', 'a3', name='Room 3', autojoin=True)
    in_pep.add_conference('room4@muc.example.org', 'a4', name='Room 4', autojoin=False)
    await pep48['xep_0048'].set_bookmarks(in_pep, method='xep_0223')
    out['event_after_pep48_store'] = await new.wait_event(['publish', 'room4@muc.example.org'])
    out['legacy_after_pep48_store'] = conferences(await old['xep_0048'].get_bookmarks())
    conf = ET.fromstring('<conference xmlns="%s" name="Room 5"><nick>a5</nick></conference>' % BOOKMARKS)
    await new['xep_0060'].publish(bare, BOOKMARKS, id='room5@muc.example.org', payload=conf, options=publish_options(BOOKMARK_OPTIONS))
    got = await pep48['xep_0048'].get_bookmarks(method='xep_0223')
    out['pep48_after_pep_publish'] = rows(got['pubsub']['items']['item']['bookmarks'])

    pep48.disconnect()
    old.disconnect()
    new.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(asyncio.wait_for(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]), 60))
