#!/usr/bin/python3
"""XEP-0313 from slixmpp: "alice" sends chats to "bob"; bob collects the XEP-0359 stanza ids of what he
receives, then pages through his archive with slixmpp's xep_0313 (forward and backward RSM iteration, a
with filter, a time range), reads the query form and the archive metadata. Prints what it saw as JSON."""
import asyncio
import json
import ssl
import sys
from datetime import datetime, timedelta, timezone

import slixmpp
from slixmpp import JID


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        for p in ('xep_0030', 'xep_0059', 'xep_0297', 'xep_0313', 'xep_0359'):
            self.register_plugin(p)
        self.ready = asyncio.Event()
        self.received = []
        self.add_event_handler('session_start', lambda _: self.ready.set())
        self.add_event_handler('message', self.on_message)

    def on_message(self, m):
        if m['body'] and m['type'] == 'chat':
            self.received.append([m['body'], m['stanza_id']['by'] and str(m['stanza_id']['by']), m['stanza_id']['id']])


def entry(m):
    fwd = m['mam_result']['forwarded']
    return [fwd['stanza']['body'], m['mam_result']['id']]


async def main(port, alice_jid, bob_jid, password, count):
    alice, bob = Client(alice_jid, password), Client(bob_jid, password)
    for c in (alice, bob):
        c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(asyncio.gather(alice.ready.wait(), bob.ready.wait()), 15)
    for c in (alice, bob):
        c.send_presence()
    await asyncio.sleep(0.5)
    for i in range(1, count + 1):
        alice.send_message(mto=JID(bob_jid).bare, mbody='m %d' % i, mtype='chat')
    for _ in range(100):
        if len(bob.received) >= count:
            break
        await asyncio.sleep(0.1)
    out = {'received': bob.received}
    archive = bob['xep_0313']
    out['forward'] = [entry(m) async for m in archive.iterate(with_jid=JID(JID(alice_jid).bare), rsm={'max': 3})]
    out['backward'] = [entry(m) async for m in archive.iterate(reverse=True, rsm={'max': 2}, total=5)]
    future = datetime.now(timezone.utc) + timedelta(days=1)
    page = await archive.retrieve(start=future, timeout=10)
    out['future'] = [len(page['mam']['results']), page['mam_fin'].xml.get('complete')]
    page = await archive.retrieve(end=future, rsm={'max': 2}, timeout=10)
    out['first_two'] = [[entry(m) for m in page['mam']['results']], page['mam_fin'].xml.get('complete'), page['mam_fin']['rsm']['count']]
    form = await archive.get_fields(timeout=10)
    out['fields'] = [f['var'] for f in form['fields']]
    meta = await archive.get_archive_metadata(timeout=10)
    out['metadata'] = [meta['mam_metadata']['start']['id'], meta['mam_metadata']['end']['id']]
    for c in (alice, bob):
        c.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])))
