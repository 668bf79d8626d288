// A server the tests start as a child process (cognito-local, `next start`): its output kept for
// the error that says why it did not come up, a bounded wait until it answers, and a stop that
// cannot hang.
import { type ChildProcess, spawn } from 'node:child_process';
import { delay } from '../support/time.js';

export interface ServerProcess {
  child: ChildProcess;
  /** The last `keepChars` of its stdout and stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

export function startServerProcess(
  script: string,
  args: string[],
  { cwd, env, keepChars = 20_000 }: { cwd: string; env: NodeJS.ProcessEnv; keepChars?: number },
): ServerProcess {
  let output = '';
  const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-keepChars);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, output: () => output, stop };
}

/** Resolves once `url` answers OK; rejects naming `what`, with its output, if it exits or `ms` pass. */
export async function untilAnswering(server: ServerProcess, url: string, what: string, ms: number, pauseMs = 100): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`${what} exited (${server.child.exitCode}):\n${server.output()}`);
    if (Date.now() > deadline) throw new Error(`${what} did not answer within ${ms / 1000} s:\n${server.output()}`);
    const up = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.ok,
      () => false, // not listening yet
    );
    if (up) return;
    await delay(pauseMs);
  }
}
