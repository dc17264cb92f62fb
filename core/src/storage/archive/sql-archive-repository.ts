import type { ArchiveFilter, ArchivedMessage, ArchivePage, ArchivePageRequest, MessageArchiveRepository } from '@starling/sdk';
import { jidKey } from '../jid-key';
import type { SqlRunner } from '../sql-runner';
import { StorageError } from '../storage-error';
import { ArchiveBatch, archiveRow } from './archive-batch';
import { ARCHIVE_SQL, countRows, type Position, type ResolvedFilter, selectPage } from './archive-sql';

type Int = number | string | bigint;

interface ArchiveRow {
  id: Int;
  stanza_id: string;
  owner: string;
  with_jid: string;
  with_resource: string | null;
  stamp: Int;
  outgoing: Int;
  stanza: string;
}

function fromRow(r: ArchiveRow): ArchivedMessage {
  return {
    id: r.stanza_id,
    owner: r.owner,
    with: r.with_jid,
    ...(r.with_resource === null ? {} : { withResource: r.with_resource }),
    stamp: Number(r.stamp),
    outgoing: Number(r.outgoing) === 1,
    stanza: r.stanza,
  };
}

/**
 * The archive on either engine: the paging logic once, the SQL from `archive-sql.ts`. A page asks for one
 * row more than it returns, so that `complete` costs no second query. Appends of one event-loop turn are
 * written in one multi-row INSERT.
 */
export class SqlArchiveRepository implements MessageArchiveRepository {
  private readonly batch: ArchiveBatch;

  constructor(private readonly db: SqlRunner) {
    this.batch = new ArchiveBatch(db);
  }

  /** Written with the other appends of the same event-loop turn, in one statement (see ArchiveBatch). */
  async append(m: ArchivedMessage): Promise<boolean> {
    if (!m.id || m.id.length > 64) throw new StorageError('STARLING_STORAGE_ARGUMENT', `bad archive id ${JSON.stringify(m.id)}`);
    return this.batch.add(archiveRow(m));
  }

  async has(owner: string, id: string): Promise<boolean> {
    return (await this.position(owner, id)) !== null;
  }

  private async position(owner: string, id: string): Promise<Position | null> {
    const [row] = await this.db.rows<{ stamp: Int; id: Int }>(ARCHIVE_SQL.position, [jidKey(owner), id]);
    return row ? { stamp: Number(row.stamp), id: Number(row.id) } : null;
  }

  /** The later of two lower bounds (or the earlier of two upper bounds). */
  private static tighter(a: Position | undefined, b: Position | undefined, later: boolean): Position | undefined {
    if (!a || !b) return a ?? b;
    const aFirst = a.stamp < b.stamp || (a.stamp === b.stamp && a.id < b.id);
    return aFirst === later ? b : a;
  }

  async query(filter: ArchiveFilter, page: ArchivePageRequest): Promise<ArchivePage | null> {
    if (!Number.isSafeInteger(page.max) || page.max < 0) throw new StorageError('STARLING_STORAGE_ARGUMENT', `bad page size ${page.max}`);
    const lookup = async (id: string | undefined) => (id === undefined || id === '' ? undefined : ((await this.position(filter.owner, id)) ?? null));
    const [afterId, beforeId, pageAfter, pageBefore] = await Promise.all([
      lookup(filter.afterId),
      lookup(filter.beforeId),
      lookup(page.after),
      lookup(page.before),
    ]);
    if (afterId === null || beforeId === null || pageAfter === null || pageBefore === null) return null;
    const base: ResolvedFilter = { filter, after: afterId, before: beforeId };
    const { sql: countSql, params: countParams } = countRows(base);
    const [{ n }] = await this.db.rows<{ n: Int }>(countSql, countParams);
    const count = Number(n);

    const backward = page.before !== undefined;
    const ranged: ResolvedFilter = {
      filter,
      after: SqlArchiveRepository.tighter(afterId, pageAfter, true),
      before: SqlArchiveRepository.tighter(beforeId, pageBefore, false),
    };
    if (page.max === 0) return { messages: [], complete: count === 0, count };
    const { sql, params } = selectPage(ranged, backward, page.max + 1);
    const rows = await this.db.rows<ArchiveRow>(sql, params);
    const complete = rows.length <= page.max;
    const messages = rows.slice(0, page.max).map(fromRow);
    if (backward) messages.reverse();
    return { messages, complete, count, ...(!backward && page.after === undefined ? { index: 0 } : {}) };
  }

  async bounds(owner: string): Promise<{ first?: { id: string; stamp: number }; last?: { id: string; stamp: number } }> {
    const key = jidKey(owner);
    const [first] = await this.db.rows<{ stanza_id: string; stamp: Int }>(ARCHIVE_SQL.first, [key]);
    if (!first) return {};
    const [last] = await this.db.rows<{ stanza_id: string; stamp: Int }>(ARCHIVE_SQL.last, [key]);
    return { first: { id: first.stanza_id, stamp: Number(first.stamp) }, last: { id: last.stanza_id, stamp: Number(last.stamp) } };
  }

  async removeBefore(stamp: number): Promise<number> {
    return this.db.run(ARCHIVE_SQL.removeBefore, [stamp]);
  }

  async removeOwner(owner: string): Promise<number> {
    return this.db.run(ARCHIVE_SQL.removeOwner, [jidKey(owner)]);
  }
}
