import type Database from 'better-sqlite3';
import { SQL } from '../sql';
import { type Statements, prepareAll } from './sqlite-statements';
import { type StoredVhost, type VhostRepository, vhostKey, vhostParams } from '../vhost-repository';

export class SqliteVhostRepository implements VhostRepository {

  private readonly s: Statements<keyof typeof SQL.vhosts>;

  constructor(db: Database.Database) {
    this.s = prepareAll(db, SQL.vhosts, ['countOwner']);
  }

  async all(): Promise<StoredVhost[]> {
    return this.s.all.all() as StoredVhost[];
  }

  async get(domain: string): Promise<StoredVhost | null> {
    return (this.s.get.get(vhostKey(domain)) as StoredVhost | undefined) ?? null;
  }

  async add(v: StoredVhost): Promise<boolean> {
    const { domain, owner } = vhostParams(v);
    const now = Date.now();
    return this.s.insert.run(domain, owner, v.item, now, now).changes > 0;
  }

  async update(v: StoredVhost): Promise<boolean> {
    const { domain, owner } = vhostParams(v);
    return this.s.update.run(owner, v.item, Date.now(), domain).changes > 0;
  }

  async remove(domain: string): Promise<boolean> {
    return this.s.delete.run(vhostKey(domain)).changes > 0;
  }

  async countOwnedBy(owner: string): Promise<number> {
    return Number(this.s.countOwner.get(owner.toLowerCase()));
  }
}
