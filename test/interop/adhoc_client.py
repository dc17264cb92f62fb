#!/usr/bin/python3
"""An ad-hoc commands client driven over stdin/stdout, for Starling's integration tests.

It logs in with slixmpp (STARTTLS, SCRAM) and uses slixmpp's own XEP-0030 and XEP-0050 plugins
(xep_0050.send_command, xep_0050.get_commands, xep_0030.get_info) and XEP-0004 forms, so what the tests
see is what slixmpp sends and parses.

usage: adhoc_client.py PORT JID PASSWORD
stdin:  one JSON request per line:
  {"op": "items", "jid": J, "node": N?}                       disco#items (get_commands when node is the commands node)
  {"op": "info", "jid": J, "node": N?}                        disco#info
  {"op": "command", "jid": J, "node": N, "action": A?, "sessionid": S?, "form": {var: value | [values]}?}
  {"op": "flow", "jid": J, "node": N, "answers": [{var: value}, ...]}
                                                              slixmpp's session workflow: start_command, then
                                                              complete_command with each answer form in turn
  {"op": "quit"}
stdout: {"ready": JID} once logged in, then one JSON reply per request ({"error": {...}} for an IQ error).
"""
import asyncio
import json
import ssl
import sys
import threading

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout

NS_COMMANDS = 'http://jabber.org/protocol/commands'


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def form_to_json(form):
    if form is None:
        return None
    fields = []
    for f in form.get_fields().values():
        values = [v.text or '' for v in f.xml.findall('{jabber:x:data}value')]
        fields.append({'var': f['var'], 'type': f['type'], 'label': f['label'], 'values': values, 'options': [{'label': o['label'], 'value': o['value']} for o in f['options']]})
    items = []  # the rows of a reported table (XEP-0004 §3.4), field var -> values
    for item in form.xml.findall('{jabber:x:data}item'):
        items.append({f.get('var'): [v.text or '' for v in f.findall('{jabber:x:data}value')] for f in item.findall('{jabber:x:data}field')})
    return {'type': form['type'], 'title': form['title'], 'instructions': form['instructions'], 'fields': fields, 'items': items}


def command_to_json(iq):
    cmd = iq['command']
    actions = sorted(cmd['actions']) if cmd.xml.find('{%s}actions' % NS_COMMANDS) is not None else []
    act = cmd.xml.find('{%s}actions' % NS_COMMANDS)
    form = cmd['form'] if cmd.xml.find('{jabber:x:data}x') is not None else None
    return {
        'node': cmd['node'],
        'sessionid': cmd['sessionid'],
        'status': cmd['status'],
        'actions': actions,
        'execute': act.get('execute') if act is not None else None,
        'notes': [{'type': t, 'text': x} for t, x in cmd['notes']],
        'form': form_to_json(form),
    }


def error_to_json(iq):
    err = iq['error']
    out = {'condition': err['condition'], 'text': err['text'], 'type': err['type']}
    specific = [c.tag.split('}')[1] for c in err.xml if c.tag.startswith('{%s}' % NS_COMMANDS)]
    if specific:
        out['specific'] = specific[0]
    return out


class Driver(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.register_plugin('xep_0030')
        self.register_plugin('xep_0004')
        self.register_plugin('xep_0050')
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.requests = asyncio.Queue()
        self.add_event_handler('session_start', self.on_start)
        self.add_event_handler('failed_auth', lambda _: self.fail('authentication failed'))

    def fail(self, why):
        emit({'fatal': why})
        self.disconnect()

    def submit_form(self, values):
        form = self['xep_0004'].make_form(ftype='submit')
        for var, value in (values or {}).items():
            form.add_field(var=var, value=value)
        return form

    async def on_start(self, _):
        self.send_presence()
        await self.get_roster()
        emit({'ready': str(self.boundjid)})
        while True:
            req = await self.requests.get()
            if req.get('op') == 'quit':
                self.disconnect()
                return
            try:
                emit(await self.handle(req))
            except IqError as e:
                emit({'error': error_to_json(e.iq)})
            except IqTimeout:
                emit({'error': {'condition': 'timeout'}})
            except Exception as e:  # reported to the test, which fails with it
                emit({'exception': '%s: %s' % (type(e).__name__, e)})

    async def handle(self, req):
        op = req['op']
        if op == 'items':
            node = req.get('node')
            if node == NS_COMMANDS:
                iq = await self['xep_0050'].get_commands(req['jid'])
            else:
                iq = await self['xep_0030'].get_items(jid=req['jid'], node=node)
            items = []
            for el in iq['disco_items'].xml.findall('{http://jabber.org/protocol/disco#items}item'):
                items.append({k: el.get(k) for k in ('jid', 'node', 'name', 'group') if el.get(k) is not None})
            return {'items': items}
        if op == 'info':
            iq = await self['xep_0030'].get_info(jid=req['jid'], node=req.get('node'))
            info = iq['disco_info']
            return {'identities': [list(i) for i in info['identities']], 'features': sorted(info['features'])}
        if op == 'command':
            payload = self.submit_form(req['form']) if 'form' in req else None
            iq = await self['xep_0050'].send_command(
                req['jid'], req['node'], action=req.get('action', 'execute'), payload=payload, sessionid=req.get('sessionid'))
            return command_to_json(iq)
        if op == 'flow':
            return await self.flow(req)
        raise ValueError('unknown op %s' % op)

    async def flow(self, req):
        """slixmpp's session workflow: each stage's form is answered from `answers` until the command completes."""
        done = asyncio.get_running_loop().create_future()
        answers = list(req.get('answers', []))
        stages = []

        def on_stage(iq, session):
            stages.append(command_to_json(iq))
            if iq['command']['status'] != 'executing' or not answers:
                session['next'] = None
                if not done.done():
                    done.set_result(None)
                return
            session['payload'] = self.submit_form(answers.pop(0))
            session['next'] = on_stage
            self['xep_0050'].complete_command(session)

        def on_error(iq, session):
            if not done.done():
                done.set_result(error_to_json(iq))

        session = {'next': on_stage, 'error': on_error}
        self['xep_0050'].start_command(req['jid'], req['node'], session)
        err = await asyncio.wait_for(done, 20)
        return {'stages': stages, 'error': err}


def main():
    port, jid, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    xmpp = Driver(jid, password)
    loop = asyncio.get_event_loop()

    def read_stdin():
        for line in sys.stdin:
            line = line.strip()
            if line:
                loop.call_soon_threadsafe(xmpp.requests.put_nowait, json.loads(line))
        loop.call_soon_threadsafe(xmpp.requests.put_nowait, {'op': 'quit'})

    threading.Thread(target=read_stdin, daemon=True).start()
    xmpp.connect(address=('127.0.0.1', port))
    loop.run_until_complete(xmpp.disconnected)


if __name__ == '__main__':
    main()
