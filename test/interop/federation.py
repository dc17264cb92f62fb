#!/usr/bin/python3
"""Two slixmpp clients on two servers (usually of different domains, federated over s2s).
Usage: federation.py <portA> <jidA/res> <passwordA> <portB> <jidB/res> <passwordB>
A asks B for a presence subscription; B accepts and subscribes back (slixmpp's auto_authorize and
auto_subscribe), A accepts; then A sends B a chat message and B answers. Prints one JSON line: the
subscription each side's roster ends with, whether each saw the other online, and the messages each got
(or an "error" with what was still missing when a step ran out of time)."""
import asyncio
import json
import ssl
import sys

import slixmpp

STEP = 40  # seconds per step at most


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.ready = asyncio.Event()
        self.got = []
        self.online = set()
        self.changed = asyncio.Event()
        self.add_event_handler('session_start', self.on_start)
        self.add_event_handler('message', self.on_message)
        self.add_event_handler('presence_available', self.on_available)
        self.add_event_handler('roster_update', lambda _: self.changed.set())

    async def on_start(self, _):
        await self.get_roster()
        self.send_presence()
        self.ready.set()

    def on_message(self, msg):
        if msg['type'] in ('chat', 'normal') and msg['body']:
            self.got.append({'from': str(msg['from']), 'body': msg['body']})
            self.changed.set()

    def on_available(self, pres):
        self.online.add(pres['from'].bare)
        self.changed.set()

    def subscription(self, bare):
        return self.client_roster[bare]['subscription'] if bare in self.client_roster else 'none'

    async def until(self, what, test):
        async def wait():
            while not test():
                self.changed.clear()
                await self.changed.wait()
        try:
            await asyncio.wait_for(wait(), STEP)
        except asyncio.TimeoutError:
            raise RuntimeError(f'{self.boundjid}: timed out waiting for {what}')


async def main(port_a, jid_a, pw_a, port_b, jid_b, pw_b):
    a, b = Client(jid_a, pw_a), Client(jid_b, pw_b)
    a.connect(('127.0.0.1', port_a), force_starttls=True)
    b.connect(('127.0.0.1', port_b), force_starttls=True)
    await asyncio.wait_for(asyncio.gather(a.ready.wait(), b.ready.wait()), 20)
    bare_a, bare_b = a.boundjid.bare, b.boundjid.bare
    result = {}
    try:
        a.send_presence(pto=bare_b, ptype='subscribe')
        await a.until(f'subscription both with {bare_b}', lambda: a.subscription(bare_b) == 'both')
        await b.until(f'subscription both with {bare_a}', lambda: b.subscription(bare_a) == 'both')
        await a.until(f'{bare_b} online', lambda: bare_b in a.online)
        await b.until(f'{bare_a} online', lambda: bare_a in b.online)
        a.send_message(mto=b.boundjid, mbody=f'hello from {bare_a}', mtype='chat')
        await b.until('the chat message', lambda: len(b.got) > 0)
        b.send_message(mto=a.boundjid, mbody=f'hello from {bare_b}', mtype='chat')
        await a.until('the answer', lambda: len(a.got) > 0)
    except RuntimeError as e:
        result['error'] = str(e)
    result.update({
        'a_subscription': a.subscription(bare_b), 'b_subscription': b.subscription(bare_a),
        'a_saw_b_online': bare_b in a.online, 'b_saw_a_online': bare_a in b.online,
        'a_got': a.got, 'b_got': b.got,
    })
    a.disconnect()
    b.disconnect()
    await asyncio.sleep(0.3)
    print(json.dumps(result), flush=True)


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]))
