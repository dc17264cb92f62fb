import { type ComponentHandle, type ScriptCaller, type ScriptCapability, StarlingError, tryParseJid } from '@starling/sdk';
import type { MucService } from './muc-service';

/**
 * What MUC admin command scripts may call as `muc.…` (scripts in `scripts/admin/muc/`): the rooms of a
 * virtual host's MUC domain and their destruction, for virtual hosts the caller may manage.
 */
export function mucCapability(service: MucService, handle: ComponentHandle): ScriptCapability {
  /** A vhost or its MUC domain → the MUC domain, if the caller may manage the vhost. */
  const mucDomain = (caller: ScriptCaller, v: unknown): string => {
    const j = typeof v === 'string' ? tryParseJid(v) : null;
    if (!j || j.local || j.resource) throw new StarlingError('STARLING_SCRIPT_CAPABILITY', `'${String(v)}' is not a domain`);
    const vhost = handle.vhostOf(j.domain) ?? j.domain;
    const domain = handle.domainFor(vhost);
    if (handle.vhostOf(domain) !== vhost) throw new StarlingError('STARLING_SCRIPT_CAPABILITY', `${j.domain} is not served by the chat service`);
    if (!caller.isAllowedForDomain(vhost)) throw new StarlingError('STARLING_SCRIPT_CAPABILITY', `You do not have enough permissions to manage ${vhost}.`);
    return domain;
  };
  return {
    /** Every room (public or not) of the vhost's MUC domain. */
    listRooms: (caller, domain) => service.rooms(mucDomain(caller, domain), true),
    /** Destroys a room, telling its occupants (with the reason and an alternate venue); false when there is none. */
    destroyRoom: (caller, room, reason, venue) => {
      const j = typeof room === 'string' ? tryParseJid(room) : null;
      if (!j || !j.local || j.resource) throw new StarlingError('STARLING_SCRIPT_CAPABILITY', `'${String(room)}' is not a room JID`);
      mucDomain(caller, j.domain);
      const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
      return service.destroy(j.bareString, text(reason), text(venue));
    },
  };
}
