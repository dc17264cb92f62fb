#!/usr/bin/python3
"""disco#info of a JID from slixmpp (XEP-0030 with XEP-0128 forms): log in, query, print one JSON object
{"features": [...], "forms": {FORM_TYPE: {var: [values]}}}."""
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
        for p in ('xep_0030', 'xep_0004', 'xep_0128'):
            self.register_plugin(p)
        self.ready = asyncio.Event()
        self.add_event_handler('session_start', lambda _: self.ready.set())


async def main(port, jid, password, target):
    c = Client(jid, password)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.ready.wait(), 15)
    info = await c['xep_0030'].get_info(jid=target, timeout=5)
    forms = {}
    for form in info['disco_info'].iterables:
        if form.name != 'x':
            continue
        values = form.get_values()
        form_type = values.pop('FORM_TYPE', None)
        if isinstance(form_type, list):
            form_type = form_type[0]
        forms[form_type] = {k: (v if isinstance(v, list) else [v]) for k, v in values.items()}
    c.disconnect()
    print(json.dumps({'features': sorted(info['disco_info']['features']), 'forms': forms}))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]))
