import {
  type Element,
  PLUGIN_CONFIG,
  type PluginConfig,
  StanzaError,
  type StanzaRequest,
  USER_REPOSITORY,
  type UserRepository,
  inject,
  injectable,
  xml,
} from '@starling/sdk';
import { AvatarPresence } from './avatar-presence';
import { NS_VCARD, VCardStore } from './vcard-store';

/** XEP-0054: a user reads and replaces their own vCard, anyone reads a user's vCard. */
@injectable()
export class VCardIq {
  readonly maxSize: number;

  constructor(
    @inject(VCardStore) private readonly store: VCardStore,
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(AvatarPresence) private readonly avatars: AvatarPresence,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
  ) {
    this.maxSize = config.number('max-size', 131072, { min: 1024 });
  }

  /** §3.1/§3.3: the stored vCard; the owner gets an empty one when there is none, others item-not-found. */
  readonly get = async (req: StanzaRequest): Promise<Element> => {
    const owner = req.to.bareString;
    const own = req.from.bareString === owner;
    const vcard = await this.store.get(owner);
    if (vcard) return vcard;
    if (own) return xml('vCard', { xmlns: NS_VCARD });
    if (!(await this.users.exists(owner))) throw new StanzaError('service-unavailable');
    throw new StanzaError('item-not-found', 'This user has no vCard');
  };

  /** §3.2: replaces the user's vCard (an empty `<vCard/>` removes it); up to `max-size` bytes. */
  readonly set = async (req: StanzaRequest): Promise<void> => {
    const owner = req.to.bareString;
    if (req.from.bareString !== owner) throw new StanzaError('forbidden', 'You may only set your own vCard');
    const vcard = req.stanza.firstElement()!;
    const size = Buffer.byteLength(vcard.toString());
    if (size > this.maxSize) throw new StanzaError('not-acceptable', `The vCard is ${size} bytes; at most ${this.maxSize} bytes are accepted`);
    const before = await this.store.hash(owner);
    const after = await this.store.set(owner, vcard);
    if (after !== before) await this.avatars.announce(owner);
  };
}
