import { type Element, SESSIONS, type Session, type SessionDirectory, StanzaError, type StanzaRequest, type UserPrivacy, inject, injectable, xml } from '@starling/sdk';
import { ACTIVE_KEY, activeListName } from './active-list';
import { NS_PRIVACY, listElement, parseList } from './privacy-list';
import { PrivacyStore } from './privacy-store';

/** The `jabber:iq:privacy` protocol (XEP-0016 §2): list names, one list, active/default choice, edits. */
@injectable()
export class PrivacyIq {
  private pushes = 0;

  constructor(
    @inject(PrivacyStore) private readonly store: PrivacyStore,
    @inject(SESSIONS) private readonly sessions: SessionDirectory,
  ) {}

  /** §2.3: no child → the names; one `<list name/>` → that list. */
  readonly get = async (req: StanzaRequest): Promise<Element> => {
    const owner = ownerOf(req);
    const children = req.stanza.firstElement()!.getChildElements();
    const user = await this.store.get(owner);
    if (children.length === 0) {
      const active = activeListName(req.origin);
      return xml(
        'query',
        { xmlns: NS_PRIVACY },
        xml('active', { name: active }),
        xml('default', { name: user.defaultName }),
        [...user.lists.keys()].map((name) => xml('list', { name })),
      );
    }
    if (children.length > 1 || children[0].name !== 'list') throw new StanzaError('bad-request', 'Ask for one list at a time');
    const list = user.lists.get(children[0].attrs.name ?? '');
    if (!list) throw new StanzaError('item-not-found', 'There is no privacy list of that name');
    return xml('query', { xmlns: NS_PRIVACY }, listElement(list));
  };

  /** §2.4-2.9: exactly one of `<active/>`, `<default/>`, `<list/>`. */
  readonly set = async (req: StanzaRequest): Promise<void> => {
    const owner = ownerOf(req);
    const children = req.stanza.firstElement()!.getChildElements();
    if (children.length !== 1) throw new StanzaError('bad-request', 'A privacy set carries exactly one <active/>, <default/> or <list/>');
    const el = children[0];
    const name = el.attrs.name;
    await this.store.change(owner, async (user) => {
      if (el.name === 'active') {
        if (!req.origin) throw new StanzaError('bad-request', 'Only a connected resource has an active list');
        if (name === undefined) req.origin.data.delete(ACTIVE_KEY);
        else if (!user.lists.has(name)) throw new StanzaError('item-not-found', 'There is no privacy list of that name');
        else req.origin.data.set(ACTIVE_KEY, name);
      } else if (el.name === 'default') {
        if (name !== undefined && !user.lists.has(name)) throw new StanzaError('item-not-found', 'There is no privacy list of that name');
        if (name !== user.defaultName && this.defaultInUseElsewhere(owner, user, req.origin))
          throw new StanzaError('conflict', 'Another connected resource uses the default list');
        await this.store.setDefault(owner, user, name);
      } else if (el.name === 'list') {
        if (el.getChildElements().length > 0) return this.store.putList(owner, user, parseList(el));
        if (name === undefined || !user.lists.has(name)) throw new StanzaError('item-not-found', 'There is no privacy list of that name');
        if (name === user.defaultName || this.activeElsewhere(owner, name, req.origin)) throw new StanzaError('conflict', 'The list is in use (default, or active for another resource)');
        await this.store.removeList(owner, user, name);
        if (activeListName(req.origin) === name) req.origin!.data.delete(ACTIVE_KEY);
      } else throw new StanzaError('bad-request', `Unexpected <${el.name}/>`);
    });
  };

  /** §2.6: after a list changes, every connected resource is told its name. */
  pushChange(owner: string, listName: string): void {
    for (const s of this.sessions.resources(owner)) {
      s.send(xml('iq', { type: 'set', id: 'privacy-push-' + (++this.pushes).toString(36), to: s.jid.toString() }, xml('query', { xmlns: NS_PRIVACY }, xml('list', { name: listName }))));
    }
  }

  private defaultInUseElsewhere(owner: string, user: UserPrivacy, me: Session | undefined): boolean {
    if (user.defaultName === undefined) return false;
    return this.sessions.resources(owner).some((s) => s !== me && activeListName(s) === undefined);
  }

  private activeElsewhere(owner: string, name: string, me: Session | undefined): boolean {
    return this.sessions.resources(owner).some((s) => s !== me && activeListName(s) === name);
  }
}

/** Only the account itself reads or edits its lists. */
function ownerOf(req: StanzaRequest): string {
  if (req.from.bareString !== req.to.bareString) throw new StanzaError('forbidden', 'Only the account owner may access its privacy lists');
  return req.to.bareString;
}
