import { type ComponentHandle, type ScriptCaller, type ScriptCapability, StanzaError, StarlingError, parseJid, tryParseJid } from '@starling/sdk';
import type { PubSubEngine } from './engine';

/**
 * What the pubsub component's admin scripts may do with its data (`pubsub.listNodes('example.org')` …):
 * always on the service of a vhost the caller may manage, acting as that vhost (an admin of its service).
 */
export function pubsubCapability(engine: PubSubEngine, handle: () => ComponentHandle): ScriptCapability {
  const service = (caller: ScriptCaller, v: unknown): { service: string; as: ReturnType<typeof parseJid> } => {
    const component = handle();
    const j = typeof v === 'string' ? tryParseJid(v) : null;
    const vhost = j && !j.local && !j.resource ? (component.vhostOf(j.domain) ?? component.vhostOf(component.domainFor(j.domain))) : undefined;
    if (!vhost) throw new StarlingError('STARLING_SCRIPT_CAPABILITY', `'${String(v)}' is not a virtual host or its PubSub service`);
    if (!caller.isAllowedForDomain(vhost)) throw new StarlingError('STARLING_SCRIPT_CAPABILITY', `You do not have enough permissions to manage ${vhost}.`);
    return { service: component.domainFor(vhost), as: parseJid(vhost) };
  };
  const text = (v: unknown, what: string): string => {
    if (typeof v !== 'string' || v === '') throw new StarlingError('STARLING_SCRIPT_CAPABILITY', `${what} must be a non-empty string`);
    return v;
  };
  const methods: ScriptCapability = {
    listNodes: async (caller, domain) => {
      const s = service(caller, domain);
      return (await engine.listNodes(s.service)).map((n) => ({ node: n.stored.node, owner: n.stored.owner, title: n.config.title, accessModel: n.config.accessModel }));
    },
    createNode: async (caller, domain, node, owner) => {
      const s = service(caller, domain);
      const name = await engine.create(s.service, s.as, text(node, 'the node'), {});
      if (typeof owner === 'string' && owner !== '') await engine.setAffiliations(s.service, s.as, name, [{ jid: owner, affiliation: 'owner' }]);
      return name;
    },
    deleteNode: async (caller, domain, node) => {
      const s = service(caller, domain);
      await engine.deleteNode(s.service, s.as, text(node, 'the node'));
      return true;
    },
    purgeNode: async (caller, domain, node) => {
      const s = service(caller, domain);
      await engine.purge(s.service, s.as, text(node, 'the node'));
      return true;
    },
  };
  // The script sees the text of a protocol refusal ("There is no node 'x'"), as an admin reads it.
  return Object.fromEntries(
    Object.entries(methods).map(([name, fn]) => [
      name,
      async (caller: ScriptCaller, ...args: unknown[]) => {
        try {
          return await fn(caller, ...args);
        } catch (err) {
          if (err instanceof StanzaError) throw new StarlingError('STARLING_SCRIPT_CAPABILITY', err.text ?? err.condition);
          throw err;
        }
      },
    ]),
  );
}
