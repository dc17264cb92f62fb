#!/usr/bin/python3
"""XEP-0363 from slixmpp: finds the upload service by disco (items of the domain, then the info of each
with its max-file-size form; Debian's slixmpp 1.8.3 does the same in get_info_from_domain, which fails on
Python 3.11's asyncio.wait), asks for a slot and PUTs the file itself (slixmpp's xep_0363 upload_file),
then GETs the URL it got; a file above the advertised max-file-size is refused by slixmpp before any slot
is asked for. Prints what it saw as JSON."""
import asyncio
import json
import ssl
import sys
import tempfile
from pathlib import Path

from aiohttp import ClientSession
import slixmpp
from slixmpp import JID
from slixmpp.plugins.xep_0363.http_upload import FileTooBig


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        for p in ('xep_0030', 'xep_0363'):
            self.register_plugin(p)
        self.ready = asyncio.Event()
        self.add_event_handler('session_start', lambda _: self.ready.set())


async def main(port, jid, password, size):
    c = Client(jid, password)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.ready.wait(), 15)
    out = {}
    content = bytes((i * 7) % 256 for i in range(size))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / 'picture of me.png'
        path.write_bytes(content)
        upload = c['xep_0363']
        items = await c['xep_0030'].get_items(jid=JID(jid).domain, timeout=10)
        for item in items['disco_items']['items']:
            info = await c['xep_0030'].get_info(jid=item[0], timeout=10)
            if 'urn:xmpp:http:upload:0' in info['disco_info']['features']:
                upload.upload_service = info['from']
                for form in info['disco_info'].iterables:
                    if form['values'].get('FORM_TYPE') == ['urn:xmpp:http:upload:0']:
                        upload.max_file_size = int(form['values']['max-file-size'])
        url = await upload.upload_file(path, timeout=10)
        out['url'] = url
        out['service'] = str(c['xep_0363'].upload_service)
        out['max_file_size'] = c['xep_0363'].max_file_size
        async with ClientSession() as session:
            async with session.get(url) as r:
                body = await r.read()
                out['get'] = [r.status, r.headers.get('Content-Type'), body == content, len(body)]
        big = Path(d) / 'big.bin'
        big.write_bytes(b'x' * (c['xep_0363'].max_file_size + 1))
        try:
            await c['xep_0363'].upload_file(big, timeout=10)
            out['too_big'] = 'uploaded'
        except FileTooBig:
            out['too_big'] = 'FileTooBig'
    c.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])))
