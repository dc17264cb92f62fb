#!/usr/bin/python3
"""XEP-0012 from slixmpp: log in, ask for the last activity of each JID given, print one JSON object
{jid: {"seconds": n, "status": text} or {"error": condition}}."""
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
        self.register_plugin('xep_0012')
        self.ready = asyncio.Event()
        self.add_event_handler('session_start', lambda _: self.ready.set())


async def main(port, jid, password, targets):
    c = Client(jid, password)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.ready.wait(), 15)
    out = {}
    for target in targets:
        try:
            iq = await c['xep_0012'].get_last_activity(target, timeout=5)
            out[target] = {'seconds': iq['last_activity']['seconds'], 'status': iq['last_activity']['status']}
        except IqError as e:
            out[target] = {'error': e.iq['error']['condition']}
    c.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]))
