#!/usr/bin/python3
"""The chapter 11.7 bot, in slixmpp: log in as the presence forward address (a full JID), tell the driving
test it is ready with a message, collect every presence for a while, print them as one JSON object."""
import asyncio
import json
import ssl
import sys

import slixmpp


class Collector(slixmpp.ClientXMPP):
    def __init__(self, jid, password, port, notify):
        super().__init__(jid, password)
        self.port = port
        self.notify = notify
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.seen = []
        self.ready = asyncio.Event()
        self.add_event_handler('session_start', self.on_start)
        self.add_event_handler('presence', self.on_presence)

    async def on_start(self, _):
        self.send_presence()
        self.send_message(mto=self.notify, mbody='collector ready', mtype='chat')
        self.ready.set()

    def on_presence(self, p):
        if p['from'].bare == self.boundjid.bare:
            return
        self.seen.append({'from': str(p['from']), 'to': str(p['to']), 'type': p['type'],
                          'show': p['show'], 'status': p['status']})


async def main(port, jid, password, notify, seconds):
    c = Collector(jid, password, port, notify)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.ready.wait(), 15)
    await asyncio.sleep(seconds)
    c.disconnect()
    print(json.dumps({'jid': str(c.boundjid), 'presences': c.seen}))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])))
