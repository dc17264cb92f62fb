import { type Jid, type Logger, StarlingError } from '@starling/sdk';
import type { AdHocCommand, CommandCall, CommandReply } from './ad-hoc-command';
import { type FormField, dataForm, firstValue } from './data-form';
import type { VhostManagerConfig } from '../vhosts/vhost-defaults';
import { DnsUnreachable } from '../vhosts/vhost-dns-check';
import { FormValueError, TLS_FORCED_NOTE, VHOST_FIELD, itemFields, itemFromForm } from '../vhosts/vhost-form';
import { type VhostItem, newItem } from '../vhosts/vhost-item';
import type { VhostRegistry } from '../vhosts/vhost-registry';

/** Tigase's vhost-man texts, word for word. */
export const VHOST_TEXT = {
  success: 'Operation successful',
  duplicate: "The item is already added, you can't add it twice.",
  invalid: 'The item did not pass validation checking.',
  noPermission: 'You do not have enough permissions to manage this item.',
  noDomain: 'Domain name not specified',
  tooMany: 'Maximum number of domains exceeded for the user! Current number is: ',
  noSecret: 'S2S Secret is required',
  /** The form's fixed note as the refusal of an item without TLS required (Tigase adds the full stop). */
  tlsForced: `${TLS_FORCED_NOTE}.`,
  noItem: 'There is no such item: ',
  noItems: 'There are no items you can manage.',
} as const;

const F = VHOST_FIELD;

export interface VhostManDeps {
  vhosts: VhostRegistry;
  config: VhostManagerConfig;
  isAdmin(jid: Jid): boolean;
  /** Resolves null when the domain's DNS points here, else the error text; throws DnsUnreachable when DNS cannot be asked. */
  dnsCheck(domain: string): Promise<string | null>;
  /** Checks and installs a vhost's key and certificate chain (PEM); throws STARLING_CERT_INVALID. */
  installCertificate(domain: string, pem: string, save: boolean): void;
  log: Logger;
}

function done(...fields: FormField[]): CommandReply {
  return { status: 'completed', children: [dataForm('result', { fields })] };
}
const noteField = (text: string): FormField => ({ var: 'Note', type: 'fixed', values: [text] });
const warningField = (text: string): FormField => ({ var: 'Warning', type: 'fixed', values: [text] });
const form = (title: string, fields: FormField[]): CommandReply => ({ status: 'executing', children: [dataForm('form', { title, fields })] });
const marker: FormField = { var: F.marker, type: 'hidden', values: ['true'] };

/** The checks of Tigase's VHostJDBCRepository.validateItem, in its order: null when the item passes. */
async function validate(d: VhostManDeps, item: VhostItem, opts: { countOwner: boolean; checkDns: boolean }): Promise<string | null> {
  if (item.domain === '') return VHOST_TEXT.noDomain;
  if (opts.countOwner && item.owner !== null) {
    const n = await d.vhosts.ownedBy(item.owner);
    if (n >= d.config.domainsPerUser) return VHOST_TEXT.tooMany + n;
  }
  if (item.s2sSecret === null) return VHOST_TEXT.noSecret;
  if (d.config.defaults.tlsRequired && !item.tlsRequired) return VHOST_TEXT.tlsForced;
  if (opts.checkDns && !d.config.defaults.disableDnsCheck) {
    try {
      return await d.dnsCheck(item.domain);
    } catch (err) {
      if (!(err instanceof DnsUnreachable)) throw err;
      d.log.warn('vhost DNS check skipped: no DNS server answers', { domain: item.domain, err: err.message });
    }
  }
  return null;
}

/** Who may change an item: a service admin, its owner, or one of its administrators (who cannot change the owner). */
function canManage(d: VhostManDeps, caller: Jid, item: VhostItem): boolean {
  return d.isAdmin(caller) || item.owner === caller.bareString || item.admins.includes(caller.bareString);
}
function canRemove(d: VhostManDeps, caller: Jid, item: VhostItem): boolean {
  return d.isAdmin(caller) || item.owner === caller.bareString;
}

function itemList(items: VhostItem[], title: string): CommandReply {
  if (items.length === 0) return done(noteField(VHOST_TEXT.noItems));
  return form(title, [
    { var: F.itemList, type: 'list-single', label: 'Items list', required: true, values: [items[0].domain], options: items.map((i) => ({ value: i.domain })) },
  ]);
}

/** `comp-repo-item-add`: "Add an item". */
export class VhostAddCommand implements AdHocCommand {
  readonly id = 'comp-repo-item-add';
  readonly name = 'Add an item';
  constructor(private readonly d: VhostManDeps) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const caller = call.from;
    const admin = this.d.isAdmin(caller);
    const blank = newItem('', this.d.config.defaults, caller.bareString);
    if (firstValue(call.values, F.marker) === undefined) return form('Add a new item', [...itemFields(blank, { domainFixed: false, tlsForced: this.d.config.defaults.tlsRequired }), marker]);
    let item: VhostItem;
    try {
      item = itemFromForm(call.values, blank);
    } catch (err) {
      if (err instanceof FormValueError) return done(noteField(VHOST_TEXT.invalid), warningField(err.message));
      throw err;
    }
    if (!admin) item.owner = caller.bareString;
    if (item.domain !== '' && this.d.vhosts.item(item.domain)) return done(noteField(VHOST_TEXT.duplicate));
    const warning = await validate(this.d, item, { countOwner: true, checkDns: true });
    if (warning !== null && !(admin && item.domain !== '')) return done(noteField(VHOST_TEXT.invalid), warningField(warning));
    if (!(await this.d.vhosts.add(item))) return done(noteField(VHOST_TEXT.duplicate));
    this.d.log.info('virtual host added', { domain: item.domain, by: caller.bareString, owner: item.owner });
    return done(noteField(VHOST_TEXT.success), ...(warning !== null ? [warningField(warning)] : []));
  }
}

/** `comp-repo-item-update`: "Update an item" (choose it from `item-list`, then edit its form). */
export class VhostUpdateCommand implements AdHocCommand {
  readonly id = 'comp-repo-item-update';
  readonly name = 'Update an item';
  constructor(private readonly d: VhostManDeps) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const caller = call.from;
    const chosen = firstValue(call.values, F.itemList);
    if (chosen === undefined) return itemList(this.d.vhosts.all().filter((i) => canManage(this.d, caller, i)), 'Select an item to update');
    const current = this.d.vhosts.item(chosen);
    if (!current) return done(noteField(VHOST_TEXT.noItem + chosen));
    if (!canManage(this.d, caller, current)) return done(noteField(VHOST_TEXT.noPermission));
    if (firstValue(call.values, F.marker) === undefined)
      return form(`Update the item ${current.domain}`, [{ var: F.itemList, type: 'hidden', values: [current.domain] }, ...itemFields(current, { domainFixed: true, tlsForced: this.d.config.defaults.tlsRequired }), marker]);
    let item: VhostItem;
    try {
      item = { ...itemFromForm(call.values, current), domain: current.domain };
    } catch (err) {
      if (err instanceof FormValueError) return done(noteField(VHOST_TEXT.invalid), warningField(err.message));
      throw err;
    }
    const admin = this.d.isAdmin(caller);
    if (item.owner !== current.owner && !admin && current.owner !== caller.bareString) return done(noteField(VHOST_TEXT.noPermission));
    const warning = await validate(this.d, item, { countOwner: item.owner !== current.owner, checkDns: false });
    if (warning !== null && !admin) return done(noteField(VHOST_TEXT.invalid), warningField(warning));
    await this.d.vhosts.update(item);
    this.d.log.info('virtual host updated', { domain: item.domain, by: caller.bareString });
    return done(noteField(VHOST_TEXT.success), ...(warning !== null ? [warningField(warning)] : []));
  }
}

/** `comp-repo-item-remove`: "Remove an item". */
export class VhostRemoveCommand implements AdHocCommand {
  readonly id = 'comp-repo-item-remove';
  readonly name = 'Remove an item';
  constructor(private readonly d: VhostManDeps) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const caller = call.from;
    const chosen = firstValue(call.values, F.itemList);
    if (chosen === undefined) return itemList(this.d.vhosts.all().filter((i) => canRemove(this.d, caller, i)), 'Select an item to remove');
    const current = this.d.vhosts.item(chosen);
    if (!current) return done(noteField(VHOST_TEXT.noItem + chosen));
    if (!canRemove(this.d, caller, current)) return done(noteField(VHOST_TEXT.noPermission));
    try {
      await this.d.vhosts.remove(current.domain);
    } catch (err) {
      if (err instanceof StarlingError && err.code === 'STARLING_VHOST_DEFAULT') return done(noteField(err.message));
      throw err;
    }
    this.d.log.info('virtual host removed', { domain: current.domain, by: caller.bareString });
    return done(noteField(VHOST_TEXT.success));
  }
}

/** `comp-repo-item-list`: "List items", the vhosts the caller may manage, one line each. */
export class VhostListCommand implements AdHocCommand {
  readonly id = 'comp-repo-item-list';
  readonly name = 'List items';
  constructor(private readonly d: VhostManDeps) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const lines = this.d.vhosts
      .all()
      .filter((i) => canManage(this.d, call.from, i))
      .map(
        (i) =>
          `${i.domain}: ${i.enabled ? 'enabled' : 'disabled'}, anonymous ${i.anonymous ? 'on' : 'off'}, registration ${i.register ? 'on' : 'off'}, ` +
          `max users ${i.maxUsers || 'unlimited'}, owner ${i.owner ?? 'none'}, administrators ${i.admins.join(' ') || 'none'}`,
      );
    return done({ var: 'Items', type: 'text-multi', label: 'Items', values: lines });
  }
}

/** `ssl-certificate-add`: "Add SSL certificate", a vhost's key and certificate chain as PEM; SNI serves it at once. */
export class CertificateAddCommand implements AdHocCommand {
  readonly id = 'ssl-certificate-add';
  readonly name = 'Add SSL certificate';
  constructor(private readonly d: VhostManDeps) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const domains = this.d.vhosts.all().filter((i) => canRemove(this.d, call.from, i));
    const domain = firstValue(call.values, CERT_FIELD.domain);
    if (domain === undefined) {
      if (domains.length === 0) return done(noteField(VHOST_TEXT.noItems));
      return form('Add SSL certificate', [
        { var: CERT_FIELD.domain, type: 'list-single', label: CERT_FIELD.domain, required: true, values: [domains[0].domain], options: domains.map((i) => ({ value: i.domain })) },
        { var: CERT_FIELD.pem, type: 'text-multi', label: CERT_FIELD.pem, required: true },
        { var: CERT_FIELD.save, type: 'boolean', label: CERT_FIELD.save, values: ['true'] },
      ]);
    }
    const item = this.d.vhosts.item(domain);
    if (!item) return done(noteField(VHOST_TEXT.noItem + domain));
    if (!canRemove(this.d, call.from, item)) return done(noteField(VHOST_TEXT.noPermission));
    // text-multi: one value per line (a client may keep line ends in them); PEM wants bare LF lines and a final newline.
    const pem = (call.values.get(CERT_FIELD.pem) ?? []).flatMap((v) => v.split(/\r?\n|\r/)).map((l) => l.trim()).filter(Boolean).join('\n') + '\n';
    const save = ['true', '1'].includes(firstValue(call.values, CERT_FIELD.save) ?? 'true');
    try {
      this.d.installCertificate(item.domain, pem, save);
    } catch (err) {
      if (err instanceof StarlingError && err.code === 'STARLING_CERT_INVALID') return done(noteField(err.message));
      throw err;
    }
    return done(noteField(`Certificate for ${item.domain} has been updated`));
  }
}

/** Field vars of ssl-certificate-add. */
export const CERT_FIELD = { domain: 'Domain name', pem: 'Certificate in PEM format', save: 'Save to disk' } as const;

export function vhostManCommands(d: VhostManDeps): AdHocCommand[] {
  return [new VhostAddCommand(d), new VhostUpdateCommand(d), new VhostRemoveCommand(d), new VhostListCommand(d), new CertificateAddCommand(d)];
}
