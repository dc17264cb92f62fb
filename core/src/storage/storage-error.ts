import { StarlingError } from '@starling/sdk';

/** Codes carried by storage errors (`err.code`). */
export type StorageErrorCode =
  | 'STARLING_STORAGE_URI'
  | 'STARLING_STORAGE_CONNECT'
  | 'STARLING_STORAGE_MIGRATION'
  | 'STARLING_STORAGE_SCHEMA_TOO_NEW'
  | 'STARLING_STORAGE_ARGUMENT';

/** Every storage problem; `code` is one of the STARLING_STORAGE_* codes in the error catalogue. */
export class StorageError extends StarlingError {
  declare readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StorageError';
  }
}
