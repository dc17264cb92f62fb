#!/usr/bin/python3
"""XEP-0045 (and XEP-0249 direct invitations) from slixmpp's xep_0045/xep_0249 plugins against a real server.
alice creates a room and configures it from the form the room sends (instant-style: the form as given),
bob joins and talks, gets history on rejoin, is kicked and banned; a password room refuses a wrong password;
bob asks for voice in a moderated room and alice grants it; bob reads a logged room's archive by occupant
(xep_0313 with); alice sends bob a direct invitation and destroys the room with an alternate venue.
Prints one JSON object with what each step saw."""
import asyncio
import json
import ssl
import sys

import slixmpp
from slixmpp.exceptions import IqError, PresenceError
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        for p in ('xep_0030', 'xep_0045', 'xep_0249', 'xep_0313'):
            self.register_plugin(p)
        self.ready = asyncio.Event()
        self.events = asyncio.Queue()
        self.add_event_handler('session_start', self.start)
        for name in ('groupchat_message', 'groupchat_subject', 'groupchat_direct_invite', 'groupchat_presence'):
            self.add_event_handler(name, lambda s, n=name: self.events.put_nowait((n, s)))
        # Forms a room sends in a message of its own (the voice request approval form, XEP-0045 §8.6).
        self.register_handler(Callback('room form', MatchXPath('{jabber:client}message/{jabber:x:data}x'), lambda m: self.events.put_nowait(('form', m))))

    async def start(self, _):
        self.send_presence()
        await self.get_roster()
        self.ready.set()

    def drain(self):
        """Forgets the events seen so far (e.g. the echo of a leave that arrived while rejoining)."""
        while not self.events.empty():
            self.events.get_nowait()

    async def next(self, name, pred=lambda s: True, timeout=10):
        while True:
            n, s = await asyncio.wait_for(self.events.get(), timeout)
            if n == name and pred(s):
                return s


def codes(pres):
    return sorted(int(c) for c in pres['muc']['status_codes'])


async def join_error(c, room, nick, **kw):
    try:
        await c['xep_0045'].join_muc_wait(room, nick, timeout=10, **kw)
        return 'joined'
    except PresenceError as e:
        return e.presence['error']['condition']


async def main(port, a_jid, b_jid, password, service):
    a, b = Client(a_jid, password), Client(b_jid, password)
    for c in (a, b):
        c.connect(('127.0.0.1', int(port)), force_starttls=True)
    await asyncio.wait_for(asyncio.gather(a.ready.wait(), b.ready.wait()), 15)
    room = 'slix@' + service
    out = {}
    pres, _subject, _occ, _hist = await a['xep_0045'].join_muc_wait(room, 'Alice', timeout=10)
    out['created'] = codes(pres)
    form = await a['xep_0045'].get_room_config(room, timeout=5)
    out['form_fields'] = sorted(f for f in form.get_fields() if f.startswith('muc#roomconfig_'))
    form['type'] = 'submit'
    await a['xep_0045'].set_room_config(room, form, timeout=5)

    pres, subject, occupants, _ = await b['xep_0045'].join_muc_wait(room, 'Bob', timeout=10)
    out['bob_joined'] = {'codes': codes(pres), 'role': pres['muc']['role'], 'occupants': [p['from'].resource for p in occupants]}
    a['xep_0045'].set_subject(room, 'Testing')
    out['subject_pushed'] = (await b.next('groupchat_subject', lambda m: m['subject'] != ''))['subject']
    a.send_message(mto=room, mbody='hello bob', mtype='groupchat')
    m = await b.next('groupchat_message', lambda m: m['body'] == 'hello bob')
    out['message'] = {'from': str(m['from']), 'type': m['type']}

    b['xep_0045'].leave_muc(room, 'Bob')
    await a.next('groupchat_presence', lambda p: p['type'] == 'unavailable' and p['from'].resource == 'Bob')
    _, subject, _, history = await b['xep_0045'].join_muc_wait(room, 'Bob', maxstanzas=10, timeout=10)
    out['history'] = [h['body'] for h in history]
    out['subject'] = subject['subject']

    b.drain()
    await a['xep_0045'].set_role(room, 'Bob', 'none', reason='testing kicks', timeout=5)
    kicked = await b.next('groupchat_presence', lambda p: p['type'] == 'unavailable' and p['from'].resource == 'Bob')
    out['kicked'] = {'codes': codes(kicked), 'reason': kicked.xml.findtext('.//{http://jabber.org/protocol/muc#user}reason')}
    await a['xep_0045'].set_affiliation(room, 'outcast', jid=b.boundjid.bare, reason='testing bans', timeout=5)
    out['outcasts'] = [str(j) for j in await a['xep_0045'].get_affiliation_list(room, 'outcast', timeout=5)]
    out['banned_join'] = await join_error(b, room, 'Bob')
    await a['xep_0045'].set_affiliation(room, 'none', jid=b.boundjid.bare, timeout=5)

    vault = 'vault@' + service
    await a['xep_0045'].join_muc_wait(vault, 'Alice', timeout=10)
    vform = await a['xep_0045'].get_room_config(vault, timeout=5)
    vform['type'] = 'submit'
    vform.field['muc#roomconfig_passwordprotectedroom']['value'] = True
    vform.field['muc#roomconfig_roomsecret']['value'] = 'letmein'
    await a['xep_0045'].set_room_config(vault, vform, timeout=5)
    out['no_password'] = await join_error(b, vault, 'Bob')
    out['right_password'] = await join_error(b, vault, 'Bob', password='letmein')

    # Voice request (§7.13, §8.6): Bob, a visitor of a moderated room, asks with xep_0045's request_voice;
    # Alice gets the approval form and submits it back allowing it.
    stage = 'stage@' + service
    await a['xep_0045'].join_muc_wait(stage, 'Alice', timeout=10)
    sform = await a['xep_0045'].get_room_config(stage, timeout=5)
    sform['type'] = 'submit'
    sform.field['muc#roomconfig_moderatedroom']['value'] = True
    await a['xep_0045'].set_room_config(stage, sform, timeout=5)
    pres, _, _, _ = await b['xep_0045'].join_muc_wait(stage, 'Bob', timeout=10)
    out['stage_role'] = pres['muc']['role']
    b['xep_0045'].request_voice(stage, 'participant')
    asked = await a.next('form', lambda m: m['from'].bare == stage and m['form']['type'] == 'form')
    values = asked['form'].get_values()
    # slixmpp reads a hidden field (FORM_TYPE) as a list
    out['voice_form'] = {k: str(v[0] if isinstance(v, list) else v) for k, v in ((k, values.get(k)) for k in ('FORM_TYPE', 'muc#role', 'muc#jid', 'muc#roomnick'))}
    approve = a.make_message(stage)
    aform = approve['form']
    aform['type'] = 'submit'
    aform.add_field(var='FORM_TYPE', value='http://jabber.org/protocol/muc#request')
    aform.add_field(var='muc#roomnick', value=values['muc#roomnick'])
    aform.add_field(var='muc#request_allow', ftype='boolean', value=True)
    approve.send()
    voiced = await b.next('groupchat_presence', lambda p: p['from'].bare == stage and p['from'].resource == 'Bob' and p['muc']['role'] == 'participant')
    out['voiced_role'] = voiced['muc']['role']

    # MUC-MAM with slixmpp's xep_0313: a logged room's archive filtered by an occupant JID (XEP-0313 §4.1.1).
    annals = 'annals@' + service
    await a['xep_0045'].join_muc_wait(annals, 'Alice', timeout=10)
    lform = await a['xep_0045'].get_room_config(annals, timeout=5)
    lform['type'] = 'submit'
    lform.field['muc#roomconfig_persistentroom']['value'] = True
    lform.field['muc#roomconfig_enablelogging']['value'] = True
    await a['xep_0045'].set_room_config(annals, lform, timeout=5)
    await b['xep_0045'].join_muc_wait(annals, 'Bob', timeout=10)
    for c, text in ((a, 'a1'), (b, 'b1'), (a, 'a2')):
        c.send_message(mto=annals, mbody=text, mtype='groupchat')
        await b.next('groupchat_message', lambda m, t=text: m['from'].bare == annals and m['body'] == t)
    archived = {}
    for label, with_jid in (('Alice', annals + '/Alice'), ('Bob', annals + '/Bob'), ('room', annals)):
        res = await b['xep_0313'].retrieve(jid=slixmpp.JID(annals), with_jid=slixmpp.JID(with_jid), timeout=10)
        archived[label] = [r['mam_result']['forwarded']['stanza']['body'] for r in res['mam']['results']]
    out['archive_with'] = archived

    a['xep_0249'].send_invitation(b.boundjid.bare, room, reason='come back')
    inv = await b.next('groupchat_direct_invite')
    out['direct_invite'] = {'jid': str(inv['groupchat_invite']['jid']), 'reason': inv['groupchat_invite']['reason']}

    await b['xep_0045'].join_muc_wait(room, 'Bob', timeout=10)
    try:
        await b['xep_0045'].destroy(room, reason='not mine', timeout=5)
        out['bob_destroy'] = 'allowed'
    except IqError as e:
        out['bob_destroy'] = e.iq['error']['condition']
    b.drain()
    await a['xep_0045'].destroy(room, reason='done', altroom=vault, timeout=5)
    gone = await b.next('groupchat_presence', lambda p: p['type'] == 'unavailable' and p['from'].bare == room)
    d = gone.xml.find('.//{http://jabber.org/protocol/muc#user}destroy')
    out['destroyed'] = {'jid': d.get('jid'), 'reason': d.findtext('{http://jabber.org/protocol/muc#user}reason')}
    for c in (a, b):
        c.disconnect()
    print(json.dumps(out))


if __name__ == '__main__':
    asyncio.run(asyncio.wait_for(main(*sys.argv[1:6]), 60))
