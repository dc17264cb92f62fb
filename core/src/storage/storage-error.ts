/** Codes carried by storage errors (`err.code`). */
export type StorageErrorCode =
  | 'STARLING_STORAGE_URI'
  | 'STARLING_STORAGE_CONNECT'
  | 'STARLING_STORAGE_MIGRATION'
  | 'STARLING_STORAGE_SCHEMA_TOO_NEW'
  | 'STARLING_STORAGE_ARGUMENT';

export class StorageError extends Error {
  readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}
