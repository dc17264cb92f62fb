#!/usr/bin/python3
"""XEP-0054 from slixmpp: the first account publishes a vCard with a photo and reads it back; the second
reads it, reads its own (empty), reads a third account's (none) and tries a vCard over the size limit.
Prints one JSON object with what each step saw (values or error conditions)."""
import asyncio
import base64
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
        self.register_plugin('xep_0054')
        self.ready = asyncio.Event()
        self.add_event_handler('session_start', lambda _: self.ready.set())


async def attempt(coro):
    try:
        return await coro
    except IqError as e:
        return {'error': e.iq['error']['condition'], 'text': e.iq['error']['text']}


def card(iq):
    if isinstance(iq, dict):
        return iq
    v = iq['vcard_temp']
    empty = len(v.xml) == 0
    return {'FN': v['FN'], 'NICKNAME': v['NICKNAME'], 'photo': base64.b64encode(v['PHOTO']['BINVAL'] or b'').decode(), 'empty': empty}


async def main(port, a_jid, b_jid, password, third, photo_b64, big):
    a, b = Client(a_jid, password), Client(b_jid, password)
    for c in (a, b):
        c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(asyncio.gather(a.ready.wait(), b.ready.wait()), 15)
    v = a['xep_0054'].make_vcard()
    v['FN'] = 'Peter Saint-Andre'
    v['NICKNAME'] = 'stpeter'
    v['PHOTO']['TYPE'] = 'image/png'
    v['PHOTO']['BINVAL'] = base64.b64decode(photo_b64)
    out = {'publish': await attempt(a['xep_0054'].publish_vcard(v, timeout=5))}
    out['publish'] = 'ok' if not isinstance(out['publish'], dict) else out['publish']
    out['own'] = card(await attempt(a['xep_0054'].get_vcard(a.boundjid.bare, local=False, timeout=5)))
    out['other'] = card(await attempt(b['xep_0054'].get_vcard(a.boundjid.bare, local=False, timeout=5)))
    out['b_own'] = card(await attempt(b['xep_0054'].get_vcard(b.boundjid.bare, local=False, timeout=5)))
    out['none'] = card(await attempt(b['xep_0054'].get_vcard(third, local=False, timeout=5)))
    huge = b['xep_0054'].make_vcard()
    huge['DESC'] = 'x' * int(big)
    r = await attempt(b['xep_0054'].publish_vcard(huge, timeout=5))
    out['too_big'] = r if isinstance(r, dict) else 'accepted'
    a.disconnect()
    b.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), *sys.argv[2:8]))
