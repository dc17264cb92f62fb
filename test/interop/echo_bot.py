#!/usr/bin/python3
"""A slixmpp client on c2s that answers every chat message with "echo: <body>". It prints one JSON line
{"ready": jid} once online, one {"got": {...}} per message, and exits when stdin closes or after the time
limit."""
import asyncio
import json
import ssl
import sys

import slixmpp


class Echo(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.ready = asyncio.Event()
        self.add_event_handler('session_start', self.on_start)
        self.add_event_handler('message', self.on_message)
        self.add_event_handler('stream_error', self.on_stream_error)
        self.redirect = None

    def on_stream_error(self, error):
        # slixmpp reconnects after <see-other-host/> itself, but through ClientXMPP.connect() without an
        # address, which goes back to the JID's domain on 5222: give it the host:port the server named.
        if error['condition'] == 'see-other-host' and error['see_other_host']:
            host, _, port = error['see_other_host'].rpartition(':')
            self.redirect = (host.strip('[]'), int(port))

    def connect(self, address=None, **kwargs):
        if self.redirect and not address:
            address = self.redirect
            # As on the first connect to an IP address: no DNS lookup (it would answer port 5222).
            self.default_domain = ''
        return super().connect(address, **kwargs)

    def on_start(self, _):
        self.send_presence()
        self.ready.set()

    def on_message(self, msg):
        if msg['type'] not in ('chat', 'normal') or not msg['body']:
            return
        print(json.dumps({'got': {'from': str(msg['from']), 'body': msg['body']}}), flush=True)
        msg.reply('echo: ' + msg['body']).send()


async def main(port, jid, password, seconds):
    c = Echo(jid, password)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.ready.wait(), 20)
    print(json.dumps({'ready': str(c.boundjid)}), flush=True)
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    try:
        await asyncio.wait_for(stdin_closed, seconds)
    except asyncio.TimeoutError:
        pass
    c.disconnect()
    await asyncio.sleep(0.2)


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])))
