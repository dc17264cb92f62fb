import { StorageError } from './storage-error';

/** Checks `list()`'s paging arguments: both non-negative integers; a missing limit means all. */
export function checkPage(limit: number | undefined, offset: number | undefined): { limit: number | null; offset: number } {
  const ok = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if ((limit !== undefined && !ok(limit)) || (offset !== undefined && !ok(offset))) {
    throw new StorageError('STARLING_STORAGE_ARGUMENT', `bad page: limit ${limit}, offset ${offset}`);
  }
  return { limit: limit ?? null, offset: offset ?? 0 };
}
