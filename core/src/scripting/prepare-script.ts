import { Script } from 'node:vm';
import { StarlingError } from '@starling/sdk';

/** JavaScript ready for the sandbox. */
export interface PreparedScript {
  /** Shown in error positions, e.g. `hello.js`. */
  filename: string;
  /** The code the isolate compiles. */
  code: string;
  /**
   * `script`: run as written, its completion value is the result (Groovy's "last expression").
   * `function`: it has a top-level `return`, so it runs as a function body; the return value is the result.
   */
  mode: 'script' | 'function';
}

/**
 * Checks the syntax (node:vm compiles without running anything) and picks the mode. The function
 * wrapper stays on the first line so that line numbers in errors match the admin's text.
 */
export function prepareJavaScript(source: string, filename: string): PreparedScript {
  const plain = tryCompile(source, filename);
  if (!plain) return { filename, code: source, mode: 'script' };
  if (!/Illegal return statement/.test(plain.message)) throw syntaxError(plain);
  const code = `(function () {${source}\n})()`;
  const wrapped = tryCompile(code, filename);
  if (wrapped) throw syntaxError(wrapped);
  return { filename, code, mode: 'function' };
}

function tryCompile(code: string, filename: string): SyntaxError | undefined {
  try {
    new Script(code, { filename });
    return undefined;
  } catch (err) {
    if (err instanceof SyntaxError) return err;
    throw err;
  }
}

/** `hello.js:3:7 SyntaxError: Unexpected identifier 'bar'` from V8's stack (file:line, source line, caret line). */
function syntaxError(err: SyntaxError): StarlingError {
  const lines = (err.stack ?? '').split('\n');
  let where = lines[0] ?? '';
  const caret = lines[2] ?? '';
  const col = caret.indexOf('^');
  if (/:\d+$/.test(where) && col >= 0) where += `:${col + 1}`;
  return new StarlingError('STARLING_SCRIPT_SYNTAX', `${where} SyntaxError: ${err.message}`);
}
