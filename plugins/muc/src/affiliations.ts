/** XEP-0045 §5 affiliations and roles, and who may change which. */
export type Affiliation = 'owner' | 'admin' | 'member' | 'none' | 'outcast';
export type Role = 'moderator' | 'participant' | 'visitor' | 'none';

export const AFFILIATIONS: readonly Affiliation[] = ['owner', 'admin', 'member', 'none', 'outcast'];
export const ROLES: readonly Role[] = ['moderator', 'participant', 'visitor', 'none'];

const RANK: Record<Affiliation, number> = { owner: 4, admin: 3, member: 2, none: 1, outcast: 0 };

export function isAffiliation(s: string | undefined): s is Affiliation {
  return s !== undefined && (AFFILIATIONS as readonly string[]).includes(s);
}
export function isRole(s: string | undefined): s is Role {
  return s !== undefined && (ROLES as readonly string[]).includes(s);
}

export function outranks(a: Affiliation, b: Affiliation): boolean {
  return RANK[a] > RANK[b];
}

/** The role an occupant gets on entering (§5.1.2 default roles). */
export function defaultRole(affiliation: Affiliation, moderated: boolean): Role {
  if (affiliation === 'owner' || affiliation === 'admin') return 'moderator';
  if (affiliation === 'member') return 'participant';
  return moderated ? 'visitor' : 'participant';
}

/**
 * §5.2 / §9: may an occupant with `actor` affiliation change a user's affiliation from `from` to `to`?
 * Owners change anything; admins only between none, member and outcast for users below admin.
 */
export function mayChangeAffiliation(actor: Affiliation, from: Affiliation, to: Affiliation): boolean {
  if (actor === 'owner') return true;
  if (actor !== 'admin') return false;
  return !outranks(from, 'member') && !outranks(to, 'member');
}
