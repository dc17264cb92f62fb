#!/usr/bin/python3
"""A slixmpp client that sits idle (no keepalives of its own) while XEP-0199 answers the server's pings:
print one JSON object with the pings it saw and whether the server dropped it."""
import asyncio
import json
import ssl
import sys

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import StanzaPath


class Idle(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.register_plugin('xep_0199', {'keepalive': False})
        self.pings = []
        self.dropped = False
        self.ready = asyncio.Event()
        self.add_event_handler('session_start', self.on_start)
        self.add_event_handler('disconnected', self.on_disconnected)
        self.register_handler(Callback('SeenPing', StanzaPath('iq@type=get/ping'), self.on_ping))

    def on_start(self, _):
        self.send_presence()
        self.ready.set()

    def on_ping(self, iq):
        self.pings.append({'from': str(iq['from']), 'to': str(iq['to']), 'id': iq['id']})

    def on_disconnected(self, _):
        self.dropped = True


async def main(port, jid, password, seconds):
    c = Idle(jid, password)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.ready.wait(), 15)
    await asyncio.sleep(seconds)
    out = {'jid': str(c.boundjid), 'pings': c.pings, 'dropped': c.dropped}
    c.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])))
