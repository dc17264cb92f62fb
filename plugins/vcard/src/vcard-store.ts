import { createHash } from 'node:crypto';
import { CACHE_INVALIDATION, type CacheInvalidation, type Disposable, type Element, USER_DATA, type UserDataStore, inject, injectable, parseXml } from '@starling/sdk';

export const NS_VCARD = 'vcard-temp';
/** User data node and keys: the vCard as XML, and the SHA-1 of its photo ('' when it has none). */
export const VCARD_NODE = 'vcard-temp';
const VCARD_KEY = 'vcard';
const HASH_KEY = 'photo-hash';

/** XEP-0153 §4: the hex SHA-1 of the decoded PHOTO/BINVAL, or '' when the vCard has no photo. */
export function photoHash(vcard: Element): string {
  const binval = vcard.getChild('PHOTO')?.getChildText('BINVAL');
  if (!binval) return '';
  return createHash('sha1').update(Buffer.from(binval.replace(/\s+/g, ''), 'base64')).digest('hex');
}

/**
 * vCards in user data, with the photo hashes of users with sessions kept in memory for presence (a change
 * drops the user's hash from the other cluster nodes' memory).
 */
@injectable()
export class VCardStore {
  private readonly hashes = new Map<string, string | null>();

  constructor(
    @inject(USER_DATA) private readonly data: UserDataStore,
    @inject(CACHE_INVALIDATION) private readonly invalidation: CacheInvalidation,
  ) {}

  async get(owner: string): Promise<Element | null> {
    const raw = await this.data.get(owner, VCARD_NODE, VCARD_KEY);
    return raw === null ? null : parseXml(raw);
  }

  /** Stores the vCard (an empty one removes it); resolves the new photo hash (null: no vCard). */
  async set(owner: string, vcard: Element): Promise<string | null> {
    let hash: string | null = null;
    if (vcard.getChildElements().length === 0) await this.data.remove(owner, VCARD_NODE);
    else {
      hash = photoHash(vcard);
      await this.data.set(owner, VCARD_NODE, VCARD_KEY, vcard.toString());
      await this.data.set(owner, VCARD_NODE, HASH_KEY, hash);
    }
    this.hashes.set(owner, hash);
    this.invalidation.invalidate(VCARD_NODE, owner);
    return hash;
  }

  /** Drops the hashes other cluster nodes changed; dispose on unload. */
  followOtherNodes(): Disposable {
    return this.invalidation.onInvalidate(VCARD_NODE, (owner) => (owner === undefined ? this.hashes.clear() : this.forget(owner)));
  }

  /** The photo hash for presence: '' for a vCard without photo, null when the user has no vCard. */
  async hash(owner: string): Promise<string | null> {
    const hit = this.hashes.get(owner);
    if (hit !== undefined) return hit;
    const h = await this.data.get(owner, VCARD_NODE, HASH_KEY);
    this.hashes.set(owner, h);
    return h;
  }

  /** Forgets cached hashes of accounts that have no session any more. */
  forget(owner: string): void {
    this.hashes.delete(owner);
  }
}
