#!/usr/bin/python3
"""XEP-0049 and XEP-0202 from slixmpp: store bookmarks (XEP-0048 over private storage), read them back
from a second session, try another account's storage and a reserved namespace, ask the server's time.
Prints one JSON object."""
import asyncio
import json
import ssl
import sys

import slixmpp
from slixmpp.exceptions import IqError
from slixmpp.plugins.xep_0048 import Bookmarks
from slixmpp.xmlstream import ET


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        for p in ('xep_0049', 'xep_0202'):
            self.register_plugin(p)
        self['xep_0049'].register(Bookmarks)
        self.ready = asyncio.Event()
        self.add_event_handler('session_start', lambda _: self.ready.set())


async def login(port, jid, password):
    c = Client(jid, password)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.ready.wait(), 15)
    return c


async def condition(coro):
    try:
        await coro
        return 'result'
    except IqError as e:
        return e.iq['error']['condition']


async def main(port, jid, other, password):
    out = {}
    a = await login(port, jid + '/first', password)
    b = Bookmarks()
    b.add_conference('council@conference.example', 'Puck', name='Council', autojoin=True)
    await a['xep_0049'].store(b, timeout=5)
    a.disconnect()
    a2 = await login(port, jid + '/second', password)
    got = await a2['xep_0049'].retrieve('bookmarks', timeout=5)
    out['bookmarks'] = [[str(c['jid']), c['nick'], c['name']] for c in got['private']['bookmarks']['conferences']]
    empty = a2.make_iq_get()
    empty['private'].xml.append(ET.Element('{urn:example:nothing}prefs'))
    r = await empty.send(timeout=5)
    out['unknown'] = [child.tag for child in r['private'].xml]
    theirs = a2.make_iq_get(ito=other)
    theirs['private'].enable('bookmarks')
    out['other_user'] = await condition(theirs.send(timeout=5))
    reserved = a2.make_iq_set()
    reserved['private'].xml.append(ET.Element('{jabber:client}message'))
    out['reserved'] = await condition(reserved.send(timeout=5))
    t = await a2['xep_0202'].get_entity_time(a2.boundjid.domain, timeout=5)
    # Raw text: this slixmpp's parsers reject a conforming answer (they append a second 'Z' to <utc/>
    # and cannot read an offset such as +00:00 in <tzo/>).
    out['utc'] = t.xml.find('{urn:xmpp:time}time/{urn:xmpp:time}utc').text
    out['tzo'] = t.xml.find('{urn:xmpp:time}time/{urn:xmpp:time}tzo').text
    a2.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), *sys.argv[2:5]))
