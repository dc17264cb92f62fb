/**
 * Tigase keys and beans Starling accepts but does not implement. `starling check` lists each one found in
 * a config with its file:line:column as "accepted, not implemented", and the server warns about them at
 * start, so a config brought over from Tigase does not look healthy while these settings do nothing.
 *
 * The key is the bean path, '/'-separated ('sess-man/jabber:iq:register'); the value says what is
 * missing. Anything below a listed bean is covered by its entry. OWNERS: when you implement one, remove
 * its entry here and declare its keys in known-keys.ts (or in your plugin's manifest).
 */
export const UNIMPLEMENTED_KEYS: ReadonlyMap<string, string> = new Map([
  // clustering (chapter 11.12): nodes talk through Redis (core/src/cluster), so there are no cluster ports
  ['cl-comp/connections', 'cluster connection ports (cluster traffic goes through Redis)'],
  ['cl-comp/max-inactivity-time', 'idle cluster connections (cluster traffic goes through Redis; a node is gone when its heartbeat-ttl passes)'],
  // federation and components Starling does not have
  ['proxy', 'the SOCKS5 bytestream proxy'],
  ['message-archive', 'message archiving'],
  ['unified-archive', 'message archiving'],
  ['push', 'push notifications'],
  ['monitor', 'the monitor component'],
  ['basic-conf', "Tigase's configuration component"],
  ['amp-jid', 'the separate AMP component (AMP runs in the session manager)'],
  // licensing (chapter 11.11): Starling is MIT-licensed and never phones home
  ['installation-id', 'unused: Starling has no licence checks and sends nothing anywhere'],
  // storage Starling keeps in dataSource
  ['config-type', "Tigase's config types (Starling has one)"],
  ['userRepository', 'separate user repositories (accounts live in dataSource)'],
  ['stream-limits', 'stream limits (the c2s bean has max-stanza-size and max-auth-attempts)'],
  // session manager processors Tigase has and Starling does not (yet)
  ['sess-man/jabber:iq:register', "this bean's settings (in-band registration is switched per vhost with vhost-man's 'In-band registration')"],
  ['sess-man/jabber:iq:auth', 'legacy authentication (XEP-0078)'],
  ['sess-man/urn:ietf:params:xml:ns:vcard-4.0', 'vCard4 storage'],
  ['sess-man/http://jabber.org/protocol/stats', 'statistics requests in the session manager'],
  ['sess-man/sm-threads-pool', 'thread pools (Node runs one event loop)'],
  ['c2s/cm-ht-traffic-throttling', 'traffic throttling of connection managers'],
]);
