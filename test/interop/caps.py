#!/usr/bin/python3
"""XEP-0115 from slixmpp: a client with xep_0115 announces caps in its presence and answers the
server's disco#info query; a second account with the same software (the same verification string)
logs in afterwards. Prints the disco#info nodes each was asked for, and the caps each announced."""
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
        self.register_plugin('xep_0030')
        self.register_plugin('xep_0115')
        self.asked = []
        self.announced = []
        self.ready = asyncio.Event()
        self.add_event_handler('session_start', lambda _: self.ready.set())
        self.add_filter('in', self.watch_in)
        self.add_filter('out', self.watch_out)

    def watch_in(self, stanza):
        if stanza.name == 'iq' and stanza['type'] == 'get' and stanza.xml.find('{http://jabber.org/protocol/disco#info}query') is not None:
            self.asked.append(stanza['disco_info']['node'])
        return stanza

    def watch_out(self, stanza):
        c = stanza.xml.find('{http://jabber.org/protocol/caps}c') if stanza.name == 'presence' else None
        if c is not None:
            self.announced.append(c.get('node') + '#' + c.get('ver'))
        return stanza


async def session(port, jid, password, settle):
    c = Client(jid, password)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.ready.wait(), 15)
    await c['xep_0115'].update_caps(broadcast=False)
    c.send_presence()
    await asyncio.sleep(settle)
    return c


async def main(port, a_jid, b_jid, password):
    a = await session(port, a_jid, password, 1.5)
    b = await session(port, b_jid, password, 1.5)
    out = {'a_asked': a.asked, 'a_announced': sorted(set(a.announced)), 'b_asked': b.asked, 'b_announced': sorted(set(b.announced))}
    a.disconnect()
    b.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), *sys.argv[2:5]))
