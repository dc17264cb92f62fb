#!/usr/bin/python3
"""XEP-0191 from slixmpp. Two resources of one account log in; the second asks for the blocklist (so
it gets pushes). Mode "block": the first blocks the JIDs given; mode "unblock": it unblocks everything.
Prints {"before": [...], "after": [...], "push": [...], "error": condition or null}."""
import asyncio
import json
import ssl
import sys

import slixmpp
from slixmpp.exceptions import IqError


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.register_plugin('xep_0191')
        self.ready = asyncio.Event()
        self.pushes = asyncio.Queue()
        self.add_event_handler('session_start', lambda _: self.ready.set())
        self.add_event_handler('blocked', lambda iq: self.pushes.put_nowait(('block', sorted(str(j) for j in iq['block']['items']))))
        self.add_event_handler('unblocked', lambda iq: self.pushes.put_nowait(('unblock', sorted(str(j) for j in iq['unblock']['items']))))


async def blocked(c):
    iq = await c['xep_0191'].get_blocked(timeout=5)
    return sorted(str(j) for j in iq['blocklist']['items'])


async def main(port, bare, password, mode, jids):
    a = Client(bare + '/one', password)
    b = Client(bare + '/two', password)
    for c in (a, b):
        c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(asyncio.gather(a.ready.wait(), b.ready.wait()), 15)
    a.send_presence()
    b.send_presence()
    await blocked(b)
    out = {'before': await blocked(a), 'error': None}
    try:
        if mode == 'block':
            await a['xep_0191'].block(jids, timeout=5)
        elif mode == 'unblock':
            await a['xep_0191'].unblock([], timeout=5)
        else:
            iq = a.Iq(stype='set')
            iq.enable('block')
            await iq.send(timeout=5)
    except IqError as e:
        out['error'] = e.iq['error']['condition']
    if out['error'] is None:
        kind, items = await asyncio.wait_for(b.pushes.get(), 5)
        out['push'] = [kind] + items
    out['after'] = await blocked(a)
    a.disconnect()
    b.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]))
