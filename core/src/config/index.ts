export * from './errors';
export * from './model';
export { parseTdsl, type TdslContext } from './tdsl-parser';
export { writeTdsl, type TdslWriteOptions } from './tdsl-writer';
export { MASK, SECRET_KEY, maskValue, obfuscateUriPasswords } from './mask';
export { loadConfigFile, parseConfig, validateTopLevel, type ConfigLoadOptions } from './load';
export { KNOWN_TOP_LEVEL_KEYS } from './known-keys';
