#!/usr/bin/python3
"""slixmpp client session against Starling: log in (STARTTLS, SCRAM), fetch the roster, send presence,
query the server (ping, disco#info, version), message a second account and read the reply.
Prints one JSON object with what it saw; the Node test asserts on it."""
import asyncio
import json
import ssl
import sys

import slixmpp
from slixmpp.exceptions import IqError


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password, port):
        super().__init__(jid, password)
        self.port = port
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.received = asyncio.Queue()
        self.ready = asyncio.Event()
        self.add_event_handler('session_start', self.on_start)
        self.add_event_handler('message', lambda m: self.received.put_nowait(m))
        self.add_event_handler('failed_auth', lambda _: self.ready.set())
        for p in ('xep_0030', 'xep_0092', 'xep_0199'):
            self.register_plugin(p)

    async def on_start(self, _):
        self.ready.set()

    def go(self):
        self.connect(('127.0.0.1', self.port), force_starttls=True)


async def main(port, a_jid, a_pw, b_jid, b_pw):
    out = {}
    a = Client(a_jid, a_pw, port)
    b = Client(b_jid, b_pw, port)
    a.go()
    b.go()
    await asyncio.wait_for(asyncio.gather(a.ready.wait(), b.ready.wait()), 15)
    out['a_jid'] = str(a.boundjid)
    out['encrypted'] = bool(a.is_secure if hasattr(a, 'is_secure') else True)
    roster = await a.get_roster()
    out['roster_type'] = roster['type']
    a.send_presence()
    b.send_presence()
    domain = a.boundjid.domain
    try:
        await a['xep_0199'].ping(jid=domain, timeout=5)
        out['ping'] = 'ok'
    except Exception as e:  # noqa: BLE001
        out['ping'] = 'error: %s' % e
    try:
        info = await a['xep_0030'].get_info(jid=domain, timeout=5)
        out['features'] = sorted(info['disco_info']['features'])
        out['identities'] = [list(i[:2]) for i in info['disco_info']['identities']]
    except IqError as e:
        out['features'] = 'error: %s' % e.iq['error']['condition']
    try:
        ver = await a['xep_0092'].get_version(domain, timeout=5)
        out['version'] = ver['software_version']['name']
    except IqError as e:
        out['version'] = 'error: %s' % e.iq['error']['condition']
    try:
        await a.plugin['xep_0030'].get_info(jid=domain, node='urn:example:none', timeout=5)
        out['unknown_node'] = 'answered'
    except IqError as e:
        out['unknown_node'] = e.iq['error']['condition']
    a.send_message(mto=b.boundjid.bare, mbody='hello from slixmpp', mtype='chat')
    got = await asyncio.wait_for(b.received.get(), 10)
    out['b_got'] = {'from': str(got['from']), 'body': got['body'], 'type': got['type']}
    b.send_message(mto=got['from'], mbody='reply', mtype='chat')
    back = await asyncio.wait_for(a.received.get(), 10)
    out['a_got'] = {'from': str(back['from']), 'body': back['body']}
    a.disconnect()
    b.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), *sys.argv[2:6]))
