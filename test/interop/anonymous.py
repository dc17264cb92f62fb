#!/usr/bin/python3
"""SASL ANONYMOUS from slixmpp: logs in to DOMAIN with no account, adds a roster item, then sends COUNT
messages to itself. Prints one JSON object: the bound JID (or that authentication failed), the roster
push, how many messages came back, and the stream error that ended the stream, if any.

usage: anonymous.py PORT DOMAIN COUNT"""
import asyncio
import json
import ssl
import sys

import slixmpp


class Anon(slixmpp.ClientXMPP):
    def __init__(self, domain):
        super().__init__(domain, '', sasl_mech='ANONYMOUS')
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.ready = asyncio.Event()
        self.ended = asyncio.Event()
        self.out = {'jid': None, 'auth_failed': False, 'echoed': 0, 'stream_error': None}
        self.add_event_handler('session_start', lambda _: self.ready.set())
        self.add_event_handler('failed_all_auth', self.on_failed)
        self.add_event_handler('stream_error', self.on_stream_error)
        self.add_event_handler('disconnected', lambda _: self.ended.set())
        self.add_event_handler('message', self.on_message)

    def on_failed(self, _):
        self.out['auth_failed'] = True
        self.ready.set()
        self.disconnect()

    def on_stream_error(self, err):
        self.out['stream_error'] = err['condition']

    def on_message(self, msg):
        if msg['body'].startswith('ping '):
            self.out['echoed'] += 1


async def main(port, domain, count):
    c = Anon(domain)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.ready.wait(), 20)
    if c.out['auth_failed']:
        print(json.dumps(c.out))
        return
    c.out['jid'] = str(c.boundjid)
    await c.get_roster(timeout=5)
    await c.update_roster('friend@' + domain, name='Friend', timeout=5)
    c.send_presence()
    for i in range(count):
        c.send_message(mto=c.boundjid.full, mbody='ping %d' % i)
        await asyncio.sleep(0.02)
    try:
        await asyncio.wait_for(c.ended.wait(), 5)
    except asyncio.TimeoutError:
        c.disconnect()
        await asyncio.wait_for(c.ended.wait(), 5)
    print(json.dumps(c.out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
