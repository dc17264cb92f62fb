import type { Migration } from './migrate';

/**
 * The schema's history. Append a new version for every change; never edit one that has shipped.
 * JIDs are stored lower-case (see `jid-key.ts`); flags are INTEGER 0/1 on both engines; times are
 * milliseconds since the epoch. Tables keyed by a user's JID carry no foreign key to `users` (a roster
 * or offline store may be written before or without an account), so `users.remove` deletes them
 * explicitly in the same transaction; credentials belong to the account and cascade.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'users, credentials, roster, offline messages, user and server data',
    sql: `
CREATE TABLE users (
  jid VARCHAR(2047) {{bytewise}} NOT NULL PRIMARY KEY,
  domain VARCHAR(1023) {{bytewise}} NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX users_domain ON users (domain, jid);

CREATE TABLE user_credentials (
  jid VARCHAR(2047) {{bytewise}} NOT NULL REFERENCES users (jid) ON DELETE CASCADE,
  mechanism VARCHAR(32) NOT NULL,
  salt TEXT NOT NULL,
  iterations INTEGER NOT NULL,
  stored_key TEXT NOT NULL,
  server_key TEXT NOT NULL,
  PRIMARY KEY (jid, mechanism)
);

CREATE TABLE roster_items (
  owner VARCHAR(2047) {{bytewise}} NOT NULL,
  contact VARCHAR(2047) {{bytewise}} NOT NULL,
  name TEXT,
  subscription VARCHAR(4) NOT NULL,
  ask INTEGER NOT NULL,
  pending_in INTEGER NOT NULL,
  approved INTEGER NOT NULL,
  groups_json TEXT NOT NULL,
  pending_in_stanza TEXT,
  PRIMARY KEY (owner, contact)
);

CREATE TABLE roster_versions (
  owner VARCHAR(2047) {{bytewise}} NOT NULL PRIMARY KEY,
  version BIGINT NOT NULL
);

CREATE TABLE offline_messages (
  id {{autoId}},
  to_jid VARCHAR(2047) {{bytewise}} NOT NULL,
  from_jid VARCHAR(2047) {{bytewise}} NOT NULL,
  stanza TEXT NOT NULL,
  stamp BIGINT NOT NULL,
  expire_at BIGINT
);
CREATE INDEX offline_messages_to ON offline_messages (to_jid, stamp, id);
CREATE INDEX offline_messages_pair ON offline_messages (to_jid, from_jid);
CREATE INDEX offline_messages_expire ON offline_messages (expire_at) WHERE expire_at IS NOT NULL;

CREATE TABLE user_data (
  jid VARCHAR(2047) {{bytewise}} NOT NULL,
  node VARCHAR(1024) {{bytewise}} NOT NULL,
  data_key VARCHAR(1024) {{bytewise}} NOT NULL,
  data_value TEXT NOT NULL,
  PRIMARY KEY (jid, node, data_key)
);

CREATE TABLE server_data (
  node VARCHAR(1024) {{bytewise}} NOT NULL,
  data_key VARCHAR(1024) {{bytewise}} NOT NULL,
  data_value TEXT NOT NULL,
  PRIMARY KEY (node, data_key)
);
`,
  },
  {
    version: 2,
    description: 'virtual hosts managed at run time',
    sql: `
CREATE TABLE vhosts (
  domain VARCHAR(1023) {{bytewise}} NOT NULL PRIMARY KEY,
  owner VARCHAR(2047) {{bytewise}},
  item TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX vhosts_owner ON vhosts (owner);
`,
  },
  {
    version: 3,
    description: 'PubSub (XEP-0060) and PEP (XEP-0163) nodes, items, affiliations and subscriptions',
    sql: `
CREATE TABLE pubsub_nodes (
  service VARCHAR(2047) {{bytewise}} NOT NULL,
  node VARCHAR(1024) {{bytewise}} NOT NULL,
  owner VARCHAR(2047) {{bytewise}} NOT NULL,
  config TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (service, node)
);

CREATE TABLE pubsub_items (
  seq {{autoId}},
  service VARCHAR(2047) {{bytewise}} NOT NULL,
  node VARCHAR(1024) {{bytewise}} NOT NULL,
  item_id VARCHAR(1024) {{bytewise}} NOT NULL,
  publisher VARCHAR(3071) {{bytewise}} NOT NULL,
  payload TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX pubsub_items_id ON pubsub_items (service, node, item_id);
CREATE INDEX pubsub_items_order ON pubsub_items (service, node, seq);

CREATE TABLE pubsub_members (
  service VARCHAR(2047) {{bytewise}} NOT NULL,
  node VARCHAR(1024) {{bytewise}} NOT NULL,
  jid VARCHAR(3071) {{bytewise}} NOT NULL,
  bare VARCHAR(2047) {{bytewise}} NOT NULL,
  affiliation VARCHAR(16) NOT NULL,
  subscription VARCHAR(16) NOT NULL,
  subid VARCHAR(64),
  options TEXT,
  PRIMARY KEY (service, node, jid)
);
CREATE INDEX pubsub_members_bare ON pubsub_members (service, bare);
`,
  },
  {
    version: 4,
    description: 'MUC rooms, affiliations and room history',
    sql: `
CREATE TABLE muc_rooms (
  jid VARCHAR(2047) {{bytewise}} NOT NULL PRIMARY KEY,
  domain VARCHAR(1023) {{bytewise}} NOT NULL,
  config TEXT NOT NULL,
  subject TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX muc_rooms_domain ON muc_rooms (domain, jid);

CREATE TABLE muc_affiliations (
  room VARCHAR(2047) {{bytewise}} NOT NULL REFERENCES muc_rooms (jid) ON DELETE CASCADE,
  jid VARCHAR(2047) {{bytewise}} NOT NULL,
  affiliation VARCHAR(16) NOT NULL,
  nick TEXT,
  reason TEXT,
  PRIMARY KEY (room, jid)
);

CREATE TABLE muc_messages (
  id {{autoId}},
  room VARCHAR(2047) {{bytewise}} NOT NULL REFERENCES muc_rooms (jid) ON DELETE CASCADE,
  nick TEXT NOT NULL,
  sender VARCHAR(2047) {{bytewise}} NOT NULL,
  stanza TEXT NOT NULL,
  stamp BIGINT NOT NULL
);
CREATE INDEX muc_messages_room ON muc_messages (room, id);
`,
  },
  {
    version: 5,
    description: 'message archive (XEP-0313)',
    sql: `
CREATE TABLE mam_messages (
  id {{autoId}},
  owner VARCHAR(2047) {{bytewise}} NOT NULL,
  stanza_id VARCHAR(64) {{bytewise}} NOT NULL,
  with_jid VARCHAR(2047) {{bytewise}} NOT NULL,
  with_resource VARCHAR(1023) {{bytewise}},
  stamp BIGINT NOT NULL,
  outgoing INTEGER NOT NULL,
  stanza TEXT NOT NULL
);
CREATE UNIQUE INDEX mam_messages_stanza_id ON mam_messages (owner, stanza_id);
CREATE INDEX mam_messages_owner ON mam_messages (owner, stamp, id);
CREATE INDEX mam_messages_with ON mam_messages (owner, with_jid, stamp, id);
CREATE INDEX mam_messages_stamp ON mam_messages (stamp);
`,
  },
  {
    version: 6,
    description: 'HTTP file upload slots (XEP-0363)',
    sql: `
CREATE TABLE upload_slots (
  id VARCHAR(64) {{bytewise}} NOT NULL PRIMARY KEY,
  owner VARCHAR(2047) {{bytewise}} NOT NULL,
  filename VARCHAR(1024) NOT NULL,
  size BIGINT NOT NULL,
  content_type VARCHAR(255),
  created_at BIGINT NOT NULL,
  uploaded_at BIGINT
);
CREATE INDEX upload_slots_owner ON upload_slots (owner);
CREATE INDEX upload_slots_created ON upload_slots (created_at);
`,
  },
];
