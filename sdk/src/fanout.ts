import { type Attrs, Element, type Node, openTag, serialiseNodes } from './xml';

/**
 * One stanza for many recipients, serialised once (DESIGN §11): `to(jid)` makes one recipient's copy,
 * with attributes of its own (a filter may still change them) and the base's children. The children are
 * serialised once, when the first copy is written, and every later copy reuses that text, so a copy costs
 * its few attributes. A copy whose children were changed (removed, replaced or added to) is serialised in
 * full; the child elements themselves are shared by all copies and must not be changed once copies exist.
 */
export class Fanout {
  private inner: string | undefined;

  constructor(readonly base: Element) {}

  /** The copy for one recipient: the base's attributes with `to` set. */
  to(jid: string): Element {
    return new FanoutCopy(this, { ...this.base.attrs, to: jid }, this.base.children.slice());
  }

  /** The serialised children, made once. */
  innerXml(): string {
    return (this.inner ??= serialiseNodes(this.base.children));
  }
}

class FanoutCopy extends Element {
  constructor(
    private readonly fanout: Fanout,
    attrs: Attrs,
    children: Node[],
  ) {
    super(fanout.base.name, attrs, children);
  }

  /** True while the copy has exactly the base's children (then their shared text is this copy's too). */
  private sharesChildren(): boolean {
    const mine = this.children;
    const base = this.fanout.base.children;
    if (mine.length !== base.length || this.name !== this.fanout.base.name) return false;
    for (let i = 0; i < mine.length; i++) if (mine[i] !== base[i]) return false;
    return true;
  }

  override toString(): string {
    if (this.children.length === 0 || !this.sharesChildren()) return super.toString();
    return openTag(this.name, this.attrs) + '>' + this.fanout.innerXml() + '</' + this.name + '>';
  }
}
