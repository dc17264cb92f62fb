import { StarlingError } from '@starling/sdk';

/**
 * A script's `Command Id`: a plain id (`hello`, `add-user`) or a namespaced one as XEP-0133 uses
 * (`http://jabber.org/protocol/admin#add-user`). Checked before it names anything on disk.
 */
const COMMAND_ID = /^(?:[a-z][a-z0-9+.-]*:\/\/[A-Za-z0-9.-]+(?:\/[A-Za-z0-9._~-]+)*#)?([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;

export function isValidCommandId(id: string): boolean {
  return COMMAND_ID.test(id) && !id.endsWith('.');
}

/** The file name stem for a command id: the part after `#` (`add-user`), or the id itself. */
export function commandFileStem(id: string): string {
  const m = COMMAND_ID.exec(id);
  if (!m || id.endsWith('.')) throw new StarlingError('STARLING_SCRIPT_ID', `'${id}' is not a valid command id`);
  return m[1];
}
