#!/usr/bin/python3
"""XEP-0198 from slixmpp, one JSON object per line on stdout.
  sm_client.py PORT JID PASSWORD first          enable SM with resumption; print {"enabled": id},
                                                then {"got": body, "h": handled} per message; run until killed
  sm_client.py PORT JID PASSWORD resume ID H    resume that session as if this process had been it;
                                                print {"resumed": bool}, then {"got": [bodies]} after a while"""
import asyncio
import json
import ssl
import sys

import slixmpp


def say(obj):
    print(json.dumps(obj), flush=True)


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.register_plugin('xep_0198')
        self['xep_0198'].allow_resume = True
        self.got = []
        self.outcome = asyncio.get_event_loop().create_future()


async def first(port, jid, password):
    c = Client(jid, password)
    c.add_event_handler('sm_enabled', lambda e: say({'enabled': c['xep_0198'].sm_id}))
    c.add_event_handler('session_start', lambda _: c.send_presence())

    def on_message(m):
        if m['body']:
            say({'got': m['body'], 'h': c['xep_0198'].handled})
    c.add_event_handler('message', on_message)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.sleep(60)


async def resume(port, jid, password, previd, h):
    c = Client(jid, password)
    c['xep_0198'].sm_id = previd
    c['xep_0198'].handled = int(h)
    c.add_event_handler('session_resumed', lambda _: c.outcome.done() or c.outcome.set_result(True))
    c.add_event_handler('session_start', lambda _: c.outcome.done() or c.outcome.set_result(False))
    c.add_event_handler('message', lambda m: m['body'] and c.got.append(m['body']))
    c.connect(('127.0.0.1', port), force_starttls=True)
    say({'resumed': await asyncio.wait_for(c.outcome, 15)})
    await asyncio.sleep(1.5)
    say({'got': c.got, 'h': c['xep_0198'].handled})
    c.disconnect()


if __name__ == '__main__':
    port, jid, password, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    if mode == 'first':
        asyncio.run(first(port, jid, password))
    else:
        asyncio.run(resume(port, jid, password, sys.argv[5], sys.argv[6]))
