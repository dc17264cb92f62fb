/**
 * The sandbox process: the server forks it (see sandbox.ts) and it runs admin scripts in isolated-vm, so
 * that a fatal V8 error in an isolate (which aborts the whole process) ends only this process. The server
 * answers the scripts that were running with `internal-server-error` and starts a new one.
 */
import { IsolateRunner } from './isolate-runner';
import type { FromSandbox, SandboxLimits, ToSandbox } from './sandbox-protocol';

const send = (m: FromSandbox) => process.send!(m);
const limits = JSON.parse(process.argv[2]) as SandboxLimits;
const runner = new IsolateRunner(limits, { error: (msg, data) => send({ t: 'log', level: 'error', msg, data }) });
const answers = new Map<number, (json: string) => void>();
let calls = 0;

process.on('message', (m: ToSandbox) => {
  if (m.t === 'answer') {
    answers.get(m.call)?.(m.json);
    answers.delete(m.call);
    return;
  }
  const run = m.run;
  void runner
    .run(m.job, (cap, method, args) => {
      const call = ++calls;
      return new Promise<string>((resolve) => {
        answers.set(call, resolve);
        send({ t: 'call', run, call, cap, method, args });
      });
    })
    .then(
      (outcome) => send({ t: 'done', run, outcome }),
      (err) => send({ t: 'done', run, outcome: { kind: 'error', message: `The sandbox could not start the script: ${String(err)}`, debug: '' } }),
    );
});
// The server is gone: nothing left to run for.
process.on('disconnect', () => {
  runner.close();
  process.exit(0);
});
runner.warm();
