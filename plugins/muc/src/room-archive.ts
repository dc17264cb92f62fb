import { type Element, type Jid, NS_DELAY, NS_FORWARD, NS_MAM, NS_RSM, type RoomArchiveQuery, StanzaError, parseMamQuery, parseXml, xml } from '@starling/sdk';
import { outranks } from './affiliations';
import { affiliationOf, type MucEnv } from './muc-env';
import type { Room } from './room';

/** A room answers MAM queries (XEP-0313 §6) when it is persistent and logged (`muc#roomconfig_enablelogging`). */
export function archived(room: Room): boolean {
  return room.stored && room.config.logging;
}

/** A room's archive is paged by its numeric ids; one that cannot be an id names no message here. */
function archiveId(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new StanzaError('item-not-found', `No message ${v} in this archive`);
  return n;
}

/**
 * XEP-0313 §4.1.1 `with` on a room's archive, whose messages are from occupant JIDs: `room@service/nick`
 * keeps that nick's messages, the room's bare JID all of them. A user's real bare JID keeps that user's
 * messages (under any nick), for those who may see real JIDs: anyone when `whois` is `anyone`, else the
 * room's admins and owners (`forbidden` for others, so the filter cannot unmask a semi-anonymous room).
 */
function withFilter(env: MucEnv, room: Room, from: Jid, jid: Jid): Pick<RoomArchiveQuery, 'nick' | 'sender'> {
  if (jid.bareString === room.jid) return jid.resource ? { nick: jid.resource } : {};
  if (room.config.whois !== 'anyone' && !outranks(affiliationOf(env, room, from.bareString), 'member')) {
    throw new StanzaError('forbidden', "Only those who may see occupants' real JIDs may filter this archive by one");
  }
  return { sender: jid.bareString };
}

/**
 * XEP-0313 on a room (the query parsed as the mam plugin parses it: bad ones get `bad-request` and the
 * like): the matching messages go to the requester as `<result/>` messages (forwarded, with
 * their delay), then the `<fin/>` with the RSM page bounds is the IQ's answer.
 */
export async function archiveQuery(env: MucEnv, room: Room, from: Jid, query: Element): Promise<Element> {
  if (!archived(room)) throw new StanzaError('service-unavailable', 'This room keeps no archive');
  const affiliation = affiliationOf(env, room, from.bareString);
  if (affiliation === 'outcast' || (room.config.membersOnly && !outranks(affiliation, 'none'))) {
    throw new StanzaError('forbidden', 'Only those who may enter the room may read its archive');
  }
  const size = env.settings.archivePage;
  const q = parseMamQuery(query, { defaultPageSize: size, maxPageSize: size, extended: false });
  const filter = q.with ? withFilter(env, room, from, q.with) : {};
  const { after, before, max } = q.page;
  const page = await env.store.archive(room, {
    start: q.start,
    end: q.end,
    afterId: archiveId(after),
    beforeId: before === undefined ? undefined : (archiveId(before) ?? Number.MAX_SAFE_INTEGER),
    ...filter,
    limit: max,
  });
  const queryid = q.queryId;
  for (const m of page.messages) {
    const original = parseXml(m.stanza);
    original.attrs.xmlns = 'jabber:client';
    env.send(
      xml(
        'message',
        { from: room.jid, to: from.toString() },
        xml('result', { xmlns: NS_MAM, queryid, id: String(m.id) }, xml('forwarded', { xmlns: NS_FORWARD }, xml('delay', { xmlns: NS_DELAY, stamp: new Date(m.stamp).toISOString() }), original)),
      ),
    );
  }
  const first = page.messages[0];
  const last = page.messages.at(-1);
  return xml(
    'fin',
    { xmlns: NS_MAM, complete: page.complete ? 'true' : undefined },
    xml('set', { xmlns: NS_RSM }, first ? xml('first', {}, String(first.id)) : undefined, last ? xml('last', {}, String(last.id)) : undefined),
  );
}
