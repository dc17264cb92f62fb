#!/usr/bin/python3
"""XEP-0352 from slixmpp: "mobile" and "desktop", two resources of one account. The mobile goes
inactive; the desktop changes its presence several times, sends a chat state, then a message with a
body; later more presence, then the mobile goes active. Prints what the mobile received, in order,
as [kind, detail] pairs, per phase."""
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
        self.register_plugin('xep_0352')
        self.register_plugin('xep_0085')
        self.got = []
        self.ready = asyncio.Event()
        self.add_event_handler('session_start', lambda _: self.ready.set())
        self.add_filter('in', self.record)

    def record(self, s):
        if s.name == 'presence' and s['from'].resource == 'desktop':
            self.got.append(['presence', s['status']])
        elif s.name == 'message' and s['body']:
            self.got.append(['body', s['body']])
        elif s.name == 'message' and s['chat_state']:
            self.got.append(['chatstate', s['chat_state']])
        return s


async def main(port, bare, password, storm):
    mobile, desktop = Client(bare + '/mobile', password), Client(bare + '/desktop', password)
    for c in (mobile, desktop):
        c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(asyncio.gather(mobile.ready.wait(), desktop.ready.wait()), 15)
    out = {'csi_feature': mobile['xep_0352'].enabled}
    mobile.send_presence()
    desktop.send_presence(pstatus='start')
    await asyncio.sleep(0.5)
    mobile.got.clear()

    mobile['xep_0352'].send_inactive()
    for i in range(int(storm)):
        desktop.send_presence(pstatus='storm %d' % i)
    m = desktop.make_message(mto=mobile.boundjid, mtype='chat')
    m['chat_state'] = 'composing'
    m.send()
    await asyncio.sleep(0.8)
    out['while_inactive'] = list(mobile.got)
    desktop.send_message(mto=mobile.boundjid, mbody='wake up', mtype='chat')
    await asyncio.sleep(0.8)
    out['after_urgent'] = list(mobile.got)
    mobile.got.clear()

    for i in range(int(storm)):
        desktop.send_presence(pstatus='again %d' % i)
    await asyncio.sleep(0.8)
    out['held_again'] = list(mobile.got)
    mobile['xep_0352'].send_active()
    await asyncio.sleep(0.8)
    out['after_active'] = list(mobile.got)
    mobile.got.clear()
    desktop.send_presence(pstatus='live')
    await asyncio.sleep(0.8)
    out['active'] = list(mobile.got)
    mobile.disconnect()
    desktop.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), *sys.argv[2:5]))
