import { createRequire } from 'node:module';
import { join } from 'node:path';
import { StarlingError } from '../errors';

type Ts = typeof import('typescript');
let ts: Ts | undefined;

/**
 * TypeScript is loaded on the first `.ts` plugin file only (it costs about a second and 100 MB): the
 * `typescript` package, or the copy that `ts-morph` bundles (the server depends on it), found from the
 * SDK or from the running program.
 */
function typescript(): Ts {
  if (ts) return ts;
  const from = [__filename, ...(require.main?.filename ? [require.main.filename] : []), join(process.cwd(), 'index.js')];
  for (const base of from) {
    const req = createRequire(base);
    for (const load of [() => req('typescript') as Ts, () => (req('ts-morph') as { ts: Ts }).ts]) {
      try {
        return (ts = load());
      } catch {
        // try the next one
      }
    }
  }
  throw new StarlingError('STARLING_PLUGIN_TS', 'a .ts plugin needs TypeScript: npm install typescript');
}

/**
 * Transpiles one `.ts` plugin file to CommonJS (no type check: that is the author's build). Decorator
 * metadata is emitted, as tsc does for the built-in plugins, and an inline source map keeps stack traces
 * on the `.ts` lines. A syntax error fails the load with file:line:column.
 */
export function transpilePluginSource(source: string, fileName: string): string {
  const t = typescript();
  const out = t.transpileModule(source, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {
      module: t.ModuleKind.CommonJS,
      target: t.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
      inlineSourceMap: true,
      inlineSources: true,
    },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === t.DiagnosticCategory.Error);
  if (errors.length) {
    const d = errors[0];
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const text = t.flattenDiagnosticMessageText(d.messageText, '\n');
    throw new StarlingError('STARLING_PLUGIN_TS', `${fileName}${where ? `:${where.line + 1}:${where.character + 1}` : ''}: ${text}`);
  }
  return out.outputText;
}
