/**
 * Worker thread that type-checks TypeScript admin scripts with ts-morph (one long-lived in-memory Project)
 * and transpiles them to JavaScript. It runs off the main thread: loading ts-morph and the first check
 * take seconds of CPU that must not stall the server.
 */
import { parentPort } from 'node:worker_threads';
import type * as TsMorph from 'ts-morph';
import type { CheckRequest, CheckResponse } from './ts-checker';

const API_FILE = '/starling/script-api.d.ts';
const GLOBALS_FILE = '/starling/component-globals.d.ts';
/** "A 'return' statement can only be used within a function body": scripts may return at top level. */
const TOP_LEVEL_RETURN = 1108;

let tsm: typeof TsMorph | undefined;
let project: TsMorph.Project | undefined;

function setUp(apiDts: string): TsMorph.Project {
  tsm ??= require('ts-morph') as typeof TsMorph;
  const p = new tsm.Project({
    useInMemoryFileSystem: true,
    compilerOptions: { target: tsm.ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'], strict: true, types: [], noEmit: true },
  });
  const api = p.createSourceFile(API_FILE, apiDts);
  const broken = api.getPreEmitDiagnostics().filter((d) => d.getCategory() === tsm!.ts.DiagnosticCategory.Error);
  if (broken.length) throw new Error(`the script API typings do not compile: ${broken.map((d) => format(d, api)).join('; ')}`);
  return p;
}

function format(d: TsMorph.Diagnostic, sf: TsMorph.SourceFile): string {
  const start = d.getStart();
  const pos = start === undefined ? { line: 1, column: 1 } : sf.getLineAndColumnAtPos(start);
  const msg = d.getMessageText();
  const text = typeof msg === 'string' ? msg : tsm!.ts.flattenDiagnosticMessageText(msg.compilerObject, '\n');
  return `${pos.line}:${pos.column} - error TS${d.getCode()}: ${text}`;
}

function check(req: CheckRequest): CheckResponse {
  project ??= setUp(req.apiDts);
  const ts = tsm!.ts;
  project.createSourceFile(GLOBALS_FILE, req.globals, { overwrite: true });
  // `export {}` (after the last line, so positions are unchanged) keeps each script's names to itself.
  const sf = project.createSourceFile(`/scripts/${req.fileName}`, `${req.source}\nexport {};\n`, { overwrite: true });
  try {
    const errors = sf
      .getPreEmitDiagnostics()
      .filter((d) => d.getCategory() === ts.DiagnosticCategory.Error && d.getCode() !== TOP_LEVEL_RETURN)
      .map((d) => format(d, sf));
    for (const imp of sf.getImportDeclarations()) {
      const pos = sf.getLineAndColumnAtPos(imp.getStart());
      errors.push(`${pos.line}:${pos.column} - error: scripts cannot import modules; use the script API globals`);
    }
    if (errors.length) return { id: req.id, errors };
    const js = ts.transpileModule(req.source, { compilerOptions: { target: ts.ScriptTarget.ES2022 }, fileName: req.fileName }).outputText;
    return { id: req.id, errors: [], js };
  } finally {
    project.removeSourceFile(sf);
  }
}

parentPort!.on('message', (req: CheckRequest) => {
  let res: CheckResponse;
  try {
    res = check(req);
  } catch (err) {
    res = { id: req.id, errors: [], failure: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(res);
});
