import { JidError, StarlingError, parseJid } from '@starling/sdk';
import type { VhostRepository } from '../storage';
import { CredentialService } from '../auth/credential-service';
import { loadHome, openHome } from '../kernel/server';
import { askRunningServer } from './admin-channel';
import { readNewPassword } from './password-prompt';

type Out = (line: string) => void;

/** The account's canonical bare JID (RFC 7622 PRECIS); the error says what is wrong with it. */
function parseAccount(jid: string | undefined, example: string): string {
  let j;
  try {
    j = parseJid(jid ?? '');
  } catch (e) {
    if (!(e instanceof JidError)) throw e;
    throw new StarlingError('STARLING_CLI_JID', `expected an account JID like admin@${example}, got '${jid ?? ''}': ${e.message}`);
  }
  if (!j.local || j.resource) throw new StarlingError('STARLING_CLI_JID', `expected an account JID like admin@${example}, got '${jid ?? ''}'`);
  return j.bareString;
}

function accountJid(jid: string | undefined, domains: string[]): string {
  const bare = parseAccount(jid, domains[0]!);
  const domain = bare.slice(bare.indexOf('@') + 1);
  if (!domains.includes(domain)) throw new StarlingError('STARLING_CLI_JID', `${domain} is not a virtual host of this server (it serves ${domains.join(', ')})`);
  return bare;
}

/**
 * The vhost repository decides (vhosts added at run time with vhost-man count, disabled ones do not); the
 * config's domains count even before a first start has seeded them.
 */
async function servedDomain(domain: string, configDomains: string[], vhosts: VhostRepository): Promise<void> {
  const stored = await vhosts.get(domain);
  if (stored) {
    let enabled = true;
    try {
      enabled = (JSON.parse(stored.item) as { enabled?: unknown }).enabled !== false;
    } catch {
      // an unreadable item is served with the defaults (vhosts/vhost-item.ts), so enabled
    }
    if (!enabled) throw new StarlingError('STARLING_CLI_JID', `${domain} is disabled (vhost-man: Enabled)`);
    return;
  }
  if (configDomains.includes(domain)) return;
  const all = [...new Set([...configDomains, ...(await vhosts.all()).map((v) => v.domain)])];
  throw new StarlingError('STARLING_CLI_JID', `${domain} is not a virtual host of this server (it serves ${all.join(', ')})`);
}

/** `user add JID [--password P]`: straight into storage (a new account holds nothing a running server caches). */
export async function userAdd(home: string, jidArg: string | undefined, passwordFlag: string | true | undefined, out: Out, err: Out): Promise<number> {
  const jid = parseAccount(jidArg, loadHome({ home }).settings.defaultDomain);
  const { storage, settings } = await openHome({ home });
  try {
    await servedDomain(jid.slice(jid.indexOf('@') + 1), settings.domains, storage.vhosts);
    const password = typeof passwordFlag === 'string' ? passwordFlag : await readNewPassword();
    if (!(await new CredentialService(storage.users, settings.scramIterations).createUser(jid, password))) {
      err(`starling: ${jid} already exists`);
      return 1;
    }
    out(`created ${jid}`);
    return 0;
  } finally {
    await storage.close();
  }
}

/**
 * `user del JID`: through the running server when there is one (it ends the account's sessions), else
 * straight in storage.
 */
export async function userDel(home: string, jidArg: string | undefined, out: Out, err: Out): Promise<number> {
  const jid = accountJid(jidArg, loadHome({ home }).settings.domains);
  const answer = await askRunningServer(home, { op: 'user-del', jid });
  if (answer) {
    if (!answer.ok) throw new StarlingError('STARLING_CLI_ADMIN_CHANNEL', `the running server (admin channel) refused: ${answer.error}`);
    if (!answer.deleted) {
      err(`starling: ${jid} does not exist`);
      return 1;
    }
    out(`deleted ${jid} (through the running server, pid ${answer.pid}; ${answer.sessionsEnded ?? 0} session(s) ended)`);
    return 0;
  }
  const { storage } = await openHome({ home });
  try {
    if (!(await storage.users.remove(jid))) {
      err(`starling: ${jid} does not exist`);
      return 1;
    }
    out(`deleted ${jid}`);
    return 0;
  } finally {
    await storage.close();
  }
}

/** `user passwd JID [--password P]`: through the running server when there is one, else straight in storage. */
export async function userPasswd(home: string, jidArg: string | undefined, passwordFlag: string | true | undefined, out: Out, err: Out): Promise<number> {
  const jid = accountJid(jidArg, loadHome({ home }).settings.domains);
  const password = typeof passwordFlag === 'string' ? passwordFlag : await readNewPassword();
  const answer = await askRunningServer(home, { op: 'user-passwd', jid, password });
  let changed: boolean;
  if (answer) {
    if (!answer.ok) throw new StarlingError('STARLING_CLI_ADMIN_CHANNEL', `the running server (admin channel) refused: ${answer.error}`);
    changed = answer.changed === true;
  } else {
    const { storage, settings } = await openHome({ home });
    try {
      changed = (await storage.users.exists(jid)) && (await new CredentialService(storage.users, settings.scramIterations).setPassword(jid, password));
    } finally {
      await storage.close();
    }
  }
  if (!changed) {
    err(`starling: ${jid} does not exist`);
    return 1;
  }
  out(`changed the password of ${jid}`);
  return 0;
}
