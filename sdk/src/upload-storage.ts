import type { ServiceToken } from './service-token';

/** An XEP-0363 upload slot as stored; the file itself lives under `<home>/var/upload/<id>`. */
export interface StoredUploadSlot {
  /** Random, URL-safe; also the file's name on disk. */
  id: string;
  /** The bare JID that asked for it. */
  owner: string;
  /** The file name the client gave (shown in the URL, never used as a path). */
  filename: string;
  size: number;
  contentType?: string;
  createdAt: number;
  /** ms since epoch when the PUT landed; undefined while the slot waits for its PUT. */
  uploadedAt?: number;
}

/** Upload slots (XEP-0363), SQLite or PostgreSQL like every repository. */
export interface UploadSlotRepository {
  create(slot: StoredUploadSlot): Promise<void>;
  get(id: string): Promise<StoredUploadSlot | null>;
  /** Marks the slot uploaded; false when it was gone or already uploaded. */
  markUploaded(id: string, at: number): Promise<boolean>;
  /** Bytes an owner's slots take (uploaded or waiting for their PUT): the quota counts both. */
  usedBy(owner: string): Promise<number>;
  /** Slots waiting for a PUT created before `pendingBefore`, and uploaded ones uploaded before `uploadedBefore`. */
  expired(pendingBefore: number, uploadedBefore: number, limit: number): Promise<StoredUploadSlot[]>;
  remove(id: string): Promise<boolean>;
}

export const UPLOAD_SLOTS = Symbol.for('starling.UploadSlotRepository') as ServiceToken<UploadSlotRepository>;
