/** The languages admin scripts may be written in: the file extension decides, as in Tigase. */
export interface ScriptLanguage {
  /** Shown in the `Language` list of "New command script". */
  readonly name: 'JavaScript' | 'TypeScript';
  readonly ext: 'js' | 'ts';
}

export const JAVASCRIPT: ScriptLanguage = { name: 'JavaScript', ext: 'js' };
export const TYPESCRIPT: ScriptLanguage = { name: 'TypeScript', ext: 'ts' };
export const LANGUAGES: readonly ScriptLanguage[] = [JAVASCRIPT, TYPESCRIPT];

const ALIASES: Record<string, ScriptLanguage> = {
  javascript: JAVASCRIPT,
  js: JAVASCRIPT,
  ecmascript: JAVASCRIPT,
  typescript: TYPESCRIPT,
  ts: TYPESCRIPT,
};

/** By name or extension, case-insensitive (`JavaScript`, `js`, `TypeScript`, `ts`). */
export function languageOf(nameOrExt: string): ScriptLanguage | undefined {
  return ALIASES[nameOrExt.trim().toLowerCase()];
}

/** By file name: `hello.js` → JavaScript; undefined for other extensions. */
export function languageOfFile(file: string): ScriptLanguage | undefined {
  const dot = file.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const ext = file.slice(dot + 1);
  return ext === 'js' ? JAVASCRIPT : ext === 'ts' ? TYPESCRIPT : undefined;
}
