#!/usr/bin/python3
"""XEP-0280 from slixmpp: two resources of one account ("one" and "two") enable carbons, a contact
("peer") chats with them. Prints what "one" and "two" saw as carbons and plain messages in each step.
The port is one c2s port, or three comma-separated ones (one, two, peer: nodes of a cluster); after each
carbons change the changed resource pings the others, so their nodes know the change before the next step."""
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
        self.register_plugin('xep_0280')
        self.register_plugin('xep_0199')
        self.ready = asyncio.Event()
        self.seen = []
        self.add_event_handler('session_start', lambda _: self.ready.set())
        self.add_event_handler('carbon_received', lambda m: self.seen.append(['received', str(m['carbon_received']['from']), str(m['carbon_received']['to']), m['carbon_received']['body']]))
        self.add_event_handler('carbon_sent', lambda m: self.seen.append(['sent', str(m['carbon_sent']['from']), str(m['carbon_sent']['to']), m['carbon_sent']['body']]))
        self.add_event_handler('message', lambda m: m['body'] and self.seen.append(['message', str(m['from']), str(m['to']), m['body']]))


async def step(name, out, watchers, action):
    for w in watchers:
        w.seen.clear()
    action()
    await asyncio.sleep(0.8)
    out[name] = {w.boundjid.resource: list(w.seen) for w in watchers}


async def sync(client, *others):
    for o in others:
        await client['xep_0199'].ping(o.boundjid, timeout=10)


async def main(ports, bare, peer_jid, password):
    one, two, peer = Client(bare + '/one', password), Client(bare + '/two', password), Client(peer_jid, password)
    ports = [int(p) for p in ports.split(',')]
    for c, port in zip((one, two, peer), ports * 3 if len(ports) == 1 else ports):
        c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(asyncio.gather(one.ready.wait(), two.ready.wait(), peer.ready.wait()), 15)
    for c in (one, two, peer):
        c.send_presence()
    await one['xep_0280'].enable(timeout=5)
    await two['xep_0280'].enable(timeout=5)
    await sync(one, two, peer)
    await sync(two, one, peer)
    out = {}
    w = [one, two]
    await step('to_full', out, w, lambda: peer.send_message(mto=two.boundjid, mbody='hi two', mtype='chat'))
    await step('from_two', out, w, lambda: two.send_message(mto=peer.boundjid.bare, mbody='hello peer', mtype='chat'))
    await step('to_bare', out, w, lambda: peer.send_message(mto=two.boundjid.bare, mbody='hi both', mtype='chat'))

    def private():
        m = two.make_message(mto=peer.boundjid.bare, mbody='secret', mtype='chat')
        m.enable('carbon_private')
        m.send()
    await step('private', out, w, private)
    await step('headline', out, w, lambda: peer.send_message(mto=two.boundjid, mbody='news', mtype='headline'))
    await one['xep_0280'].disable(timeout=5)
    await sync(one, two, peer)
    await step('disabled', out, w, lambda: peer.send_message(mto=two.boundjid, mbody='after disable', mtype='chat'))
    for c in (one, two, peer):
        c.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(*sys.argv[1:5]))
