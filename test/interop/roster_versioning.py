#!/usr/bin/python3
"""RFC 6121 §2.6 from slixmpp: log in, report whether the server offered <ver xmlns='urn:xmpp:features:rosterver'/>,
fetch the roster (slixmpp sends ver='' when the feature is offered), then ask again with the version it
got. Prints {"rosterver": bool, "ver": str, "items": [...], "again": "empty" | "roster"}."""
import asyncio
import json
import ssl
import sys

import slixmpp


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.ready = asyncio.Event()
        self.add_event_handler('session_start', lambda _: self.ready.set())


async def main(port, jid, password):
    c = Client(jid, password)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.ready.wait(), 15)
    out = {'rosterver': 'rosterver' in c.features}
    first = await c.get_roster(timeout=5)
    out['ver'] = first['roster']['ver'] or ''
    out['items'] = sorted(str(j) for j in first['roster']['items'])
    iq = c.Iq(stype='get')
    iq.enable('roster')
    iq['roster']['ver'] = out['ver']
    again = await iq.send(timeout=5)
    out['again'] = 'roster' if again.xml.find('{jabber:iq:roster}query') is not None else 'empty'
    c.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
