import { StarlingError } from '@starling/sdk';

/**
 * Reads a new password. On a terminal: asks twice without echoing (raw mode, so nothing typed is
 * shown), and fails when the two differ. Otherwise (a pipe, a file): the first line of standard input.
 */
export async function readNewPassword(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stdout): Promise<string> {
  if (!input.isTTY) return nonEmpty(await readLine(input));
  const first = nonEmpty(await readHidden(input, output, 'Password: '));
  const second = await readHidden(input, output, 'Repeat password: ');
  if (first !== second) throw new StarlingError('STARLING_CLI_PASSWORD', 'the two passwords differ; nothing was changed');
  return first;
}

function nonEmpty(pw: string): string {
  if (!pw) throw new StarlingError('STARLING_CLI_PASSWORD', 'no password given (use --password P or type it on standard input)');
  return pw;
}

/** One line typed on a terminal in raw mode: nothing is echoed; backspace edits; Ctrl-C/Ctrl-D abort. */
function readHidden(input: NodeJS.ReadStream, output: NodeJS.WriteStream, prompt: string): Promise<string> {
  // raw mode before the prompt: whatever is typed after the prompt appears is never echoed
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  output.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const c of chunk) {
        if (c === '\r' || c === '\n') return done();
        if (c === '\u0003' || c === '\u0004') return done(new StarlingError('STARLING_CLI_PASSWORD', 'cancelled; nothing was changed'));
        if (c === '\u007f' || c === '\b') text = [...text].slice(0, -1).join('');
        else if (c >= ' ') text += c;
      }
    };
    input.on('data', onData);
  });
}

/** The first line of a non-terminal input (without its line end). */
function readLine(input: NodeJS.ReadStream): Promise<string> {
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = () => {
      input.off('data', onData);
      input.off('end', finish);
      input.off('error', reject);
      input.pause();
      resolve(text.split(/\r?\n/, 1)[0]);
    };
    const onData = (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) finish();
    };
    input.on('data', onData);
    input.on('end', finish);
    input.on('error', reject);
    input.resume();
  });
}
