import type { Pool } from 'pg';
import { SQL } from '../sql';
import { type StoredVhost, type VhostRepository, vhostKey, vhostParams } from '../vhost-repository';
import { PgStatement } from './pg-statements';

const S = {
  all: new PgStatement('vhosts.all', SQL.vhosts.all),
  get: new PgStatement('vhosts.get', SQL.vhosts.get),
  insert: new PgStatement('vhosts.insert', SQL.vhosts.insert),
  update: new PgStatement('vhosts.update', SQL.vhosts.update),
  delete: new PgStatement('vhosts.delete', SQL.vhosts.delete),
  countOwner: new PgStatement('vhosts.countOwner', SQL.vhosts.countOwner),
};

export class PostgresVhostRepository implements VhostRepository {
  constructor(private readonly pool: Pool) {}

  async all(): Promise<StoredVhost[]> {
    return S.all.rows<StoredVhost>(this.pool, []);
  }

  async get(domain: string): Promise<StoredVhost | null> {
    return (await S.get.rows<StoredVhost>(this.pool, [vhostKey(domain)]))[0] ?? null;
  }

  async add(v: StoredVhost): Promise<boolean> {
    const { domain, owner } = vhostParams(v);
    const now = Date.now();
    return (await S.insert.rowCount(this.pool, [domain, owner, v.item, now, now])) > 0;
  }

  async update(v: StoredVhost): Promise<boolean> {
    const { domain, owner } = vhostParams(v);
    return (await S.update.rowCount(this.pool, [owner, v.item, Date.now(), domain])) > 0;
  }

  async remove(domain: string): Promise<boolean> {
    return (await S.delete.rowCount(this.pool, [vhostKey(domain)])) > 0;
  }

  async countOwnedBy(owner: string): Promise<number> {
    return Number((await S.countOwner.rows<{ n: number | string }>(this.pool, [owner.toLowerCase()]))[0]?.n ?? 0);
  }
}
