import type Database from 'better-sqlite3';
import { SQL } from '../sql';
import { type StoredVhost, type VhostRepository, vhostKey, vhostParams } from '../vhost-repository';

export class SqliteVhostRepository implements VhostRepository {
  private readonly allStmt: Database.Statement;
  private readonly getStmt: Database.Statement;
  private readonly insertStmt: Database.Statement;
  private readonly updateStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;
  private readonly countOwnerStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.allStmt = db.prepare(SQL.vhosts.all);
    this.getStmt = db.prepare(SQL.vhosts.get);
    this.insertStmt = db.prepare(SQL.vhosts.insert);
    this.updateStmt = db.prepare(SQL.vhosts.update);
    this.deleteStmt = db.prepare(SQL.vhosts.delete);
    this.countOwnerStmt = db.prepare(SQL.vhosts.countOwner).pluck();
  }

  async all(): Promise<StoredVhost[]> {
    return this.allStmt.all() as StoredVhost[];
  }

  async get(domain: string): Promise<StoredVhost | null> {
    return (this.getStmt.get(vhostKey(domain)) as StoredVhost | undefined) ?? null;
  }

  async add(v: StoredVhost): Promise<boolean> {
    const { domain, owner } = vhostParams(v);
    const now = Date.now();
    return this.insertStmt.run(domain, owner, v.item, now, now).changes > 0;
  }

  async update(v: StoredVhost): Promise<boolean> {
    const { domain, owner } = vhostParams(v);
    return this.updateStmt.run(owner, v.item, Date.now(), domain).changes > 0;
  }

  async remove(domain: string): Promise<boolean> {
    return this.deleteStmt.run(vhostKey(domain)).changes > 0;
  }

  async countOwnedBy(owner: string): Promise<number> {
    return Number(this.countOwnerStmt.get(owner.toLowerCase()));
  }
}
