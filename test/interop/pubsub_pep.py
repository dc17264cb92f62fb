#!/usr/bin/python3
"""XEP-0060, XEP-0163, XEP-0084 and XEP-0402 from slixmpp's own plugins against Starling.

Two accounts A and B log in with xep_0030, xep_0060, xep_0115, xep_0163 and xep_0084 (B announces
`urn:xmpp:avatar:metadata+notify` through xep_0163.add_interest, i.e. in its XEP-0115 caps).
- PubSub: A creates a node on pubsub.<domain>, B subscribes, A publishes and retracts, B reads the items
  and hears the events, A deletes the node.
- PEP: A and B share presence; A publishes its avatar data and metadata with xep_0084; B hears the
  metadata event and retrieves the data; A stores an XEP-0402 bookmark with publish-options and reads it
  back, B is refused; disco#items on A lists A's nodes to A, and to B those B may read.
Prints one JSON object with what each step saw."""
import asyncio
import base64
import json
import ssl
import sys

import slixmpp
from slixmpp.exceptions import IqError
from slixmpp.xmlstream import ET

from pubsub_forms import BOOKMARK_OPTIONS, publish_options

BOOKMARKS = 'urn:xmpp:bookmarks:1'


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        for p in ('xep_0030', 'xep_0004', 'xep_0060', 'xep_0115', 'xep_0163', 'xep_0084'):
            self.register_plugin(p)
        self.ready = asyncio.Event()
        self.events = []
        self.waiters = []
        self.add_event_handler('session_start', self.start)
        for name in ('pubsub_publish', 'pubsub_retract', 'pubsub_delete', 'avatar_metadata_publish'):
            self.add_event_handler(name, self.make_handler(name))

    async def start(self, _):
        await self.get_roster()
        self.send_presence()
        self.ready.set()

    def make_handler(self, name):
        def handler(msg):
            items = msg['pubsub_event']['items']
            entry = {'event': name, 'from': str(msg['from']), 'node': items['node'] or msg['pubsub_event']['delete']['node']}
            if name.endswith('publish'):
                entry['id'] = items['item']['id']
                payload = items['item'].xml.find('*')
                entry['payload'] = ET.tostring(payload, encoding='unicode') if payload is not None else None
            if name.endswith('retract'):
                entry['id'] = items['retract']['id']
            self.events.append(entry)
            for w in list(self.waiters):
                if w[0](entry) and not w[1].done():
                    w[1].set_result(entry)
        return handler

    async def wait_event(self, pred, timeout=10):
        for e in self.events:
            if pred(e):
                return e
        fut = asyncio.get_running_loop().create_future()
        self.waiters.append((pred, fut))
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self.waiters = [w for w in self.waiters if w[1] is not fut]


async def login(port, jid, password):
    c = Client(jid, password)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.ready.wait(), 20)
    return c


def condition(err):
    return err.iq['error']['condition']


async def main(port, a_jid, b_jid, password, service):
    out = {}
    a = await login(port, a_jid, password)
    b = await login(port, b_jid, password)
    a_bare, b_bare = a.boundjid.bare, b.boundjid.bare

    # XEP-0060 on the PubSub service.
    await a['xep_0060'].create_node(service, 'slix-news')
    sub = await b['xep_0060'].subscribe(service, 'slix-news')
    out['subscription'] = sub['pubsub']['subscription']['subscription']
    entry = ET.fromstring('<entry xmlns="urn:example:news"><title>Hello from slixmpp</title></entry>')
    pub = await a['xep_0060'].publish(service, 'slix-news', id='first', payload=entry)
    out['published_id'] = pub['pubsub']['publish']['item']['id']
    ev = await b.wait_event(lambda e: e['event'] == 'pubsub_publish' and e['node'] == 'slix-news')
    out['publish_event'] = ev
    items = await b['xep_0060'].get_items(service, 'slix-news', max_items=10)
    out['items'] = [i['id'] for i in items['pubsub']['items']]
    await a['xep_0060'].retract(service, 'slix-news', 'first', notify=True)
    out['retract_event'] = await b.wait_event(lambda e: e['event'] == 'pubsub_retract')
    await a['xep_0060'].delete_node(service, 'slix-news')
    out['delete_event'] = await b.wait_event(lambda e: e['event'] == 'pubsub_delete')

    # Presence both ways (slixmpp accepts and returns subscriptions by default).
    a.send_presence_subscription(pto=b_bare)
    for _ in range(100):
        if a.client_roster[b_bare]['subscription'] == 'both' and b.client_roster[a_bare]['subscription'] == 'both':
            break
        await asyncio.sleep(0.1)
    out['roster'] = [a.client_roster[b_bare]['subscription'], b.client_roster[a_bare]['subscription']]
    b['xep_0163'].add_interest('urn:xmpp:avatar:metadata')
    await asyncio.sleep(0.5)
    await b['xep_0115'].update_caps(broadcast=True)
    await asyncio.sleep(1.5)

    # XEP-0084 avatar through XEP-0163.
    png = base64.b64decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==')
    avatar_id = a['xep_0084'].generate_id(png)
    await a['xep_0084'].publish_avatar(png)
    await a['xep_0084'].publish_avatar_metadata(items=[{'id': avatar_id, 'type': 'image/png', 'bytes': len(png)}])
    meta = await b.wait_event(lambda e: e['event'] == 'avatar_metadata_publish')
    out['avatar_event'] = {'from': meta['from'], 'id': meta['id']}
    data = await b['xep_0084'].retrieve_avatar(a_bare, avatar_id)
    out['avatar_bytes_equal'] = data['pubsub']['items']['item']['avatar_data']['value'] == png

    # XEP-0402 bookmarks: a private node created by publish-options.
    conference = ET.fromstring('<conference xmlns="urn:xmpp:bookmarks:1" name="Slix room" autojoin="true"><nick>a</nick></conference>')
    await a['xep_0060'].publish(a_bare, BOOKMARKS, id='room@muc.example.org', payload=conference,
                                options=publish_options(BOOKMARK_OPTIONS))
    mine = await a['xep_0060'].get_items(a_bare, BOOKMARKS)
    out['bookmarks'] = [[i['id'], i.xml.find('{%s}conference' % BOOKMARKS).get('name')] for i in mine['pubsub']['items']]
    try:
        await b['xep_0060'].get_items(a_bare, BOOKMARKS)
        out['bookmarks_stranger'] = 'allowed'
    except IqError as err:
        out['bookmarks_stranger'] = condition(err)

    # XEP-0163 / XEP-0060 §5.2: disco#items on the account lists the PEP nodes the requester may read.
    def nodes(result):
        return sorted(i[1] for i in result['disco_items']['items'])
    out['disco_items_owner'] = nodes(await a['xep_0030'].get_items(jid=a_bare))
    out['disco_items_contact'] = nodes(await b['xep_0030'].get_items(jid=a_bare))

    a.disconnect()
    b.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), *sys.argv[2:6]))
