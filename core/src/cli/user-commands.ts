import { StarlingError, tryParseJid } from '@starling/sdk';
import { CredentialService } from '../auth/credential-service';
import { loadHome, openHome } from '../kernel/server';
import { askRunningServer } from './admin-channel';
import { readNewPassword } from './password-prompt';

type Out = (line: string) => void;

function accountJid(jid: string | undefined, domains: string[]): string {
  const j = tryParseJid(jid ?? '');
  if (!j || !j.local || j.resource) throw new StarlingError('STARLING_CLI_JID', `expected an account JID like admin@${domains[0]}, got '${jid ?? ''}'`);
  if (!domains.includes(j.domain))
    throw new StarlingError('STARLING_CLI_JID', `${j.domain} is not a virtual host of this server (it serves ${domains.join(', ')})`);
  return j.bareString;
}

/** `user add JID [--password P]`: straight into storage (a new account holds nothing a running server caches). */
export async function userAdd(home: string, jidArg: string | undefined, passwordFlag: string | true | undefined, out: Out, err: Out): Promise<number> {
  const jid = accountJid(jidArg, loadHome({ home }).settings.domains);
  const password = typeof passwordFlag === 'string' ? passwordFlag : await readNewPassword();
  const { storage, settings } = await openHome({ home });
  try {
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
