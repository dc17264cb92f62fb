/**
 * Every statement both back ends run, in SQL that SQLite (≥ 3.35) and PostgreSQL both accept, with `?`
 * placeholders (the PostgreSQL back end numbers them). Statements only one engine needs live with it.
 */
const OFFLINE_COLUMNS = 'id, to_jid, from_jid, stanza, stamp, expire_at';
const ROSTER_COLUMNS = 'contact, name, subscription, ask, pending_in, approved, groups_json, pending_in_stanza';

export const SQL = {
  users: {
    exists: 'SELECT 1 AS one FROM users WHERE jid = ?',
    insert: 'INSERT INTO users (jid, domain, disabled, created_at) VALUES (?, ?, 0, ?) ON CONFLICT (jid) DO NOTHING',
    delete: 'DELETE FROM users WHERE jid = ?',
    insertCredential:
      'INSERT INTO user_credentials (jid, mechanism, salt, iterations, stored_key, server_key) VALUES (?, ?, ?, ?, ?, ?)',
    deleteCredentials: 'DELETE FROM user_credentials WHERE jid = ?',
    /** The account for a login: one row per credential (one with NULL credential columns when it has none), each with the disabled flag; no row when there is no user. */
    account:
      'SELECT u.disabled, c.mechanism, c.salt, c.iterations, c.stored_key, c.server_key FROM users u ' +
      'LEFT JOIN user_credentials c ON c.jid = u.jid WHERE u.jid = ? ORDER BY c.mechanism',
    setDisabled: 'UPDATE users SET disabled = ? WHERE jid = ?',
    list: 'SELECT jid FROM users ORDER BY jid LIMIT ? OFFSET ?',
    listDomain: 'SELECT jid FROM users WHERE domain = ? ORDER BY jid LIMIT ? OFFSET ?',
    count: 'SELECT COUNT(*) AS n FROM users',
    countDomain: 'SELECT COUNT(*) AS n FROM users WHERE domain = ?',
  },
  roster: {
    all: `SELECT ${ROSTER_COLUMNS} FROM roster_items WHERE owner = ? ORDER BY contact`,
    one: `SELECT ${ROSTER_COLUMNS} FROM roster_items WHERE owner = ? AND contact = ?`,
    upsert:
      `INSERT INTO roster_items (owner, ${ROSTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ` +
      'ON CONFLICT (owner, contact) DO UPDATE SET name = excluded.name, subscription = excluded.subscription, ' +
      'ask = excluded.ask, pending_in = excluded.pending_in, approved = excluded.approved, ' +
      'groups_json = excluded.groups_json, pending_in_stanza = excluded.pending_in_stanza',
    delete: 'DELETE FROM roster_items WHERE owner = ? AND contact = ?',
    deleteAll: 'DELETE FROM roster_items WHERE owner = ?',
    bumpVersion:
      'INSERT INTO roster_versions (owner, version) VALUES (?, 1) ' +
      'ON CONFLICT (owner) DO UPDATE SET version = roster_versions.version + 1 RETURNING version',
    version: 'SELECT version FROM roster_versions WHERE owner = ?',
    deleteVersion: 'DELETE FROM roster_versions WHERE owner = ?',
  },
  offline: {
    insert: 'INSERT INTO offline_messages (to_jid, from_jid, stanza, stamp, expire_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
    /** Inserts only while the (to, from) pair holds fewer than the limit; params: the five values, to, from, limit. */
    insertBounded:
      'INSERT INTO offline_messages (to_jid, from_jid, stanza, stamp, expire_at) ' +
      'SELECT CAST(? AS VARCHAR(2047)), CAST(? AS VARCHAR(2047)), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT) ' +
      'WHERE (SELECT COUNT(*) FROM offline_messages WHERE to_jid = ? AND from_jid = ?) < ? RETURNING id',
    load: `SELECT ${OFFLINE_COLUMNS} FROM offline_messages WHERE to_jid = ? ORDER BY stamp, id`,
    deleteOne: 'DELETE FROM offline_messages WHERE id = ?',
    deleteAll: 'DELETE FROM offline_messages WHERE to_jid = ?',
    count: 'SELECT COUNT(*) AS n FROM offline_messages WHERE to_jid = ?',
    countPair: 'SELECT COUNT(*) AS n FROM offline_messages WHERE to_jid = ? AND from_jid = ?',
    expired:
      `SELECT ${OFFLINE_COLUMNS} FROM offline_messages WHERE expire_at IS NOT NULL AND expire_at < ? ` +
      'ORDER BY stamp, id LIMIT ?',
  },
  userData: {
    get: 'SELECT data_value FROM user_data WHERE jid = ? AND node = ? AND data_key = ?',
    set:
      'INSERT INTO user_data (jid, node, data_key, data_value) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT (jid, node, data_key) DO UPDATE SET data_value = excluded.data_value',
    removeKey: 'DELETE FROM user_data WHERE jid = ? AND node = ? AND data_key = ?',
    removeNode: 'DELETE FROM user_data WHERE jid = ? AND node = ?',
    removeUser: 'DELETE FROM user_data WHERE jid = ?',
    keys: 'SELECT data_key FROM user_data WHERE jid = ? AND node = ? ORDER BY data_key',
    all: 'SELECT data_key, data_value FROM user_data WHERE jid = ? AND node = ? ORDER BY data_key',
  },
  serverData: {
    get: 'SELECT data_value FROM server_data WHERE node = ? AND data_key = ?',
    set:
      'INSERT INTO server_data (node, data_key, data_value) VALUES (?, ?, ?) ' +
      'ON CONFLICT (node, data_key) DO UPDATE SET data_value = excluded.data_value',
    removeKey: 'DELETE FROM server_data WHERE node = ? AND data_key = ?',
    removeNode: 'DELETE FROM server_data WHERE node = ?',
    all: 'SELECT data_key, data_value FROM server_data WHERE node = ? ORDER BY data_key',
  },
  vhosts: {
    all: 'SELECT domain, owner, item FROM vhosts ORDER BY domain',
    get: 'SELECT domain, owner, item FROM vhosts WHERE domain = ?',
    insert: 'INSERT INTO vhosts (domain, owner, item, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (domain) DO NOTHING',
    update: 'UPDATE vhosts SET owner = ?, item = ?, updated_at = ? WHERE domain = ?',
    delete: 'DELETE FROM vhosts WHERE domain = ?',
    countOwner: 'SELECT COUNT(*) AS n FROM vhosts WHERE owner = ?',
  },
  pubsub: {
    insertNode: 'INSERT INTO pubsub_nodes (service, node, owner, config, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (service, node) DO NOTHING',
    node: 'SELECT service, node, owner, config, created_at FROM pubsub_nodes WHERE service = ? AND node = ?',
    nodes: 'SELECT service, node, owner, config, created_at FROM pubsub_nodes WHERE service = ? ORDER BY node',
    setConfig: 'UPDATE pubsub_nodes SET config = ? WHERE service = ? AND node = ?',
    deleteNode: 'DELETE FROM pubsub_nodes WHERE service = ? AND node = ?',
    deleteNodeItems: 'DELETE FROM pubsub_items WHERE service = ? AND node = ?',
    deleteNodeMembers: 'DELETE FROM pubsub_members WHERE service = ? AND node = ?',
    deleteService: 'DELETE FROM pubsub_nodes WHERE service = ?',
    deleteServiceItems: 'DELETE FROM pubsub_items WHERE service = ?',
    deleteServiceMembers: 'DELETE FROM pubsub_members WHERE service = ?',
    deleteItem: 'DELETE FROM pubsub_items WHERE service = ? AND node = ? AND item_id = ?',
    insertItem: 'INSERT INTO pubsub_items (service, node, item_id, publisher, payload, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    /** Drops all but the newest n items (service, node, service, node, n). */
    trimItems:
      'DELETE FROM pubsub_items WHERE service = ? AND node = ? AND seq NOT IN ' +
      '(SELECT seq FROM pubsub_items WHERE service = ? AND node = ? ORDER BY seq DESC LIMIT ?) RETURNING item_id',
    items: 'SELECT item_id, publisher, payload, updated_at FROM pubsub_items WHERE service = ? AND node = ? ORDER BY seq DESC LIMIT ?',
    item: 'SELECT item_id, publisher, payload, updated_at FROM pubsub_items WHERE service = ? AND node = ? AND item_id = ?',
    member: 'SELECT jid, affiliation, subscription, subid, options FROM pubsub_members WHERE service = ? AND node = ? AND jid = ?',
    members: 'SELECT jid, affiliation, subscription, subid, options FROM pubsub_members WHERE service = ? AND node = ? ORDER BY jid',
    upsertMember:
      'INSERT INTO pubsub_members (service, node, jid, bare, affiliation, subscription, subid, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (service, node, jid) DO UPDATE SET affiliation = excluded.affiliation, subscription = excluded.subscription, ' +
      'subid = excluded.subid, options = excluded.options',
    deleteMember: 'DELETE FROM pubsub_members WHERE service = ? AND node = ? AND jid = ?',
    memberships:
      'SELECT node, jid, affiliation, subscription, subid, options FROM pubsub_members WHERE service = ? AND bare = ? ORDER BY node, jid',
  },
} as const;
