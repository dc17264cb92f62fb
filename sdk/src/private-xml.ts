import type { Jid } from './jid';
import { serviceToken } from './service-token';
import type { Element } from './xml';

/**
 * An element of XEP-0049 private XML storage that another plugin keeps in a place of its own, so that clients
 * of both see the same data: PEP serves `<storage xmlns='storage:bookmarks'/>` from the account's XEP-0402
 * bookmarks (XEP-0402 §"Compatibility with XEP-0048"). The private storage plugin looks the provider up
 * (`ctx.lookup`), so either plugin may be off.
 */
export interface PrivateXmlView {
  /** The element it stands for, e.g. `storage` in `storage:bookmarks`. */
  readonly name: string;
  readonly xmlns: string;
  /** The element for its owner; undefined when the view holds nothing (private storage answers from its own store). */
  read(owner: Jid): Promise<Element | undefined>;
  /** The owner stored the element through private storage: the view takes it (and tells its own clients). */
  write(owner: Jid, element: Element): Promise<void>;
}

/** PEP's view of its XEP-0402 bookmarks as XEP-0048 `storage:bookmarks` (`"provides": ["bookmarks-compat"]`). */
export const BOOKMARKS_COMPAT = serviceToken<PrivateXmlView>('bookmarks-compat');
/** Advertised on the account while private storage serves bookmarks from PEP. */
export const NS_BOOKMARKS_COMPAT = 'urn:xmpp:bookmarks:1#compat';
/** Advertised on the account while XEP-0048 stored in PEP (`storage:bookmarks` node) is kept in step with XEP-0402. */
export const NS_BOOKMARKS_COMPAT_PEP = 'urn:xmpp:bookmarks:1#compat-pep';
