#!/usr/bin/python3
"""XEP-0077 from slixmpp's xep_0077 plugin. Prints one JSON object.

usage: register.py PORT OP JID PASSWORD [NEWPASSWORD]
  register  registers JID in-band (the 'register' event), then logs in with it: {"registered", "error", "text", "logged_in"}
  login     logs in: {"logged_in"}
  change    logs in and changes the password to NEWPASSWORD: {"logged_in", "changed", "error"}
  cancel    logs in and removes the account: {"logged_in", "removed", "error"}"""
import asyncio
import json
import ssl
import sys

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password, op):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.register_plugin('xep_0030')
        self.register_plugin('xep_0004')
        self.register_plugin('xep_0066')
        self.register_plugin('xep_0077')
        self.done = asyncio.Event()
        self.out = {'logged_in': False}
        if op == 'register':
            self.out['registered'] = False
            # This slixmpp queues every IQ until the session has started, the pre-login registration IQs
            # included; its own switch lets them through (it is turned off again once logged in).
            self._always_send_everything = True
            self.add_event_handler('register', self.on_register)
        self.add_event_handler('session_start', self.on_start)
        self.add_event_handler('failed_all_auth', lambda _: self.finish())
        self.add_event_handler('disconnected', lambda _: self.done.set())

    def finish(self):
        self.disconnect()
        self.done.set()

    async def on_register(self, _form):
        iq = self.Iq()
        iq['type'] = 'set'
        iq['register']['username'] = self.boundjid.user
        iq['register']['password'] = self.password
        try:
            await iq.send(timeout=10)
            self.out['registered'] = True
        except IqError as e:
            self.out['error'] = e.iq['error']['condition']
            self.out['text'] = e.iq['error']['text']
            self.finish()
        except IqTimeout:
            self.out['error'] = 'timeout'
            self.finish()

    async def on_start(self, _):
        self._always_send_everything = False
        self.out['logged_in'] = True
        self.session_started = True
        self.done.set()


async def main(port, op, jid, password, new_password):
    c = Client(jid, password, op)
    c.connect(('127.0.0.1', port), force_starttls=True)
    await asyncio.wait_for(c.done.wait(), 30)
    if c.out['logged_in'] and op in ('change', 'cancel'):
        try:
            if op == 'change':
                await c['xep_0077'].change_password(new_password, timeout=10)
                c.out['changed'] = True
            else:
                await c['xep_0077'].cancel_registration(timeout=10)
                c.out['removed'] = True
        except IqError as e:
            c.out['error'] = e.iq['error']['condition']
    c.disconnect()
    print(json.dumps(c.out))


if __name__ == '__main__':
    args = sys.argv[1:]
    asyncio.run(main(int(args[0]), args[1], args[2], args[3], args[4] if len(args) > 4 else None))
