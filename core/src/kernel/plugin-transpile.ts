import { StarlingError } from '@starling/sdk';

type Ts = typeof import('ts-morph').ts;
let ts: Ts | undefined;

/** TypeScript is loaded on the first `.ts` plugin file only: it costs about a second and 100 MB. */
function typescript(): Ts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ts ??= (require('ts-morph') as typeof import('ts-morph')).ts;
  return ts;
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
