export { dataSourceFromUri, DEFAULT_SQLITE_FILE } from './data-source';
export { openStorage } from './open-storage';
export type { PostgresStorageOptions, SqliteStorageOptions, Storage, StorageOptions } from './storage';
export { StorageError, type StorageErrorCode } from './storage-error';
export type { StoredVhost, VhostRepository } from './vhost-repository';
