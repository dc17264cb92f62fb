import { isAbsolute, join, resolve } from 'node:path';
import type { StorageOptions } from './storage';
import { StorageError } from './storage-error';

/** The default database, relative to the server's home directory. */
export const DEFAULT_SQLITE_FILE = join('var', 'starling.db');

/** JDBC-only parameters found in Tigase URIs that mean nothing to `pg`. */
const JDBC_ONLY = ['autoCreateUser', 'useSSL', 'useUnicode', 'characterEncoding'];

/**
 * Maps the `uri` of Tigase's `dataSource { default () { uri = '…' } }` to storage options.
 * - absent, `jdbc:derby:…` (Tigase's embedded default) → SQLite at `<home>/var/starling.db`
 * - `sqlite:PATH[?synchronous=FULL]` → SQLite at PATH (relative to home; `sqlite:///abs/path` also works)
 * - `jdbc:postgresql://host:port/db?user=u&password=p`, `postgresql://…`, `postgres://…` → PostgreSQL,
 *   with `user`/`password` parameters moved into the URI's user info and `useSSL=true` as `sslmode=require`.
 */
export function dataSourceFromUri(uri: string | undefined, home: string): StorageOptions {
  const text = uri?.trim() ?? '';
  if (text === '' || text.startsWith('jdbc:derby:')) return { kind: 'sqlite', file: resolve(home, DEFAULT_SQLITE_FILE) };
  if (text.startsWith('sqlite:')) return sqliteOptions(text.slice('sqlite:'.length), home);
  const pg = text.replace(/^jdbc:/, '');
  if (/^postgres(ql)?:\/\//.test(pg)) return { kind: 'postgres', uri: postgresUri(pg) };
  throw new StorageError('STARLING_STORAGE_URI', `unsupported dataSource uri '${text.split(/[?@]/)[0]}': use sqlite:PATH or postgresql://…`);
}

function sqliteOptions(rest: string, home: string): StorageOptions {
  const [pathPart, query = ''] = rest.split('?', 2);
  const path = decodeURIComponent(pathPart.startsWith('//') ? pathPart.slice(2) : pathPart);
  if (path === '') throw new StorageError('STARLING_STORAGE_URI', 'sqlite: uri without a file path');
  const file = isAbsolute(path) ? path : resolve(home, path);
  const synchronous = new URLSearchParams(query).get('synchronous')?.toUpperCase();
  if (synchronous === undefined) return { kind: 'sqlite', file };
  if (synchronous !== 'NORMAL' && synchronous !== 'FULL') {
    throw new StorageError('STARLING_STORAGE_URI', `sqlite: synchronous must be NORMAL or FULL, not ${synchronous}`);
  }
  return { kind: 'sqlite', file, synchronous };
}

function postgresUri(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    throw new StorageError('STARLING_STORAGE_URI', 'malformed postgresql uri', { cause: err });
  }
  const params = url.searchParams;
  const user = params.get('user');
  const password = params.get('password');
  if (user !== null) url.username = encodeURIComponent(user);
  if (password !== null) url.password = encodeURIComponent(password);
  if (params.get('useSSL') === 'true' && !params.has('sslmode')) params.set('sslmode', 'require');
  for (const name of ['user', 'password', ...JDBC_ONLY]) params.delete(name);
  return url.toString();
}
