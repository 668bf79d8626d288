// Named checks, one after another, each bounded in time; PASS or FAIL with the reason, then one
// summary line that the stage reads.
import axios from 'axios';
import { isAmplifyAuthError, type AmplifyAuth } from 'axios-amplify-auth/core';
import { delay } from './fakes';
import { out, profile, uncaught } from './globals';
import { stopTimers } from './timers';

export interface Check {
  name: string;
  run(): Promise<void>;
}

/** A check's expectation that did not hold: its message is the reason. */
class Unmet extends Error {}

/** Fails the check with `reason` unless `condition` holds. */
export function expect(condition: unknown, reason: string): asserts condition {
  if (!condition) throw new Unmet(reason);
}

/** What a value that a request settled with is, in a few words. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (isAmplifyAuthError(value)) {
    const reason = (value as { reason?: unknown }).reason;
    return `${value.name} ${value.code}${reason === undefined ? '' : ` (${String(reason)})`}`;
  }
  if (axios.isCancel(value)) return 'CanceledError';
  if (axios.isAxiosError(value)) return `AxiosError ${value.response?.status ?? value.code ?? ''}`.trim();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'object' && value !== null && 'status' in value) return `response ${String((value as { status: unknown }).status)}`;
  return `${typeof value} ${String(value)}`;
}

/** A request's outcome, whichever way it settled. */
export async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Waits, on the app's timers, until `condition` holds; fails after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Unmet(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(1);
  }
}

/** Every event of an install, recorded. */
export function observe(auth: AmplifyAuth) {
  const events = {
    logout: [] as string[],
    refresh: [] as string[],
    refreshError: [] as string[],
    skip: [] as string[],
  };
  auth.on('logout', ({ reason }) => events.logout.push(reason));
  auth.on('refresh', ({ trigger }) => events.refresh.push(trigger));
  auth.on('refreshError', ({ error }) => events.refreshError.push(describe(error)));
  auth.on('skip', ({ reason }) => events.skip.push(reason));
  return events;
}

/** The start and end of a token, enough to tell tokens apart in a message. */
export function short(value: string | undefined): string {
  if (value === undefined) return 'no Authorization header';
  const token = value.replace(/^Bearer /, '');
  return token.length > 24 ? `${token.slice(0, 10)}…${token.slice(-10)}` : token;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Unmet(`did not finish within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Runs `checks` in order, prints each result and the summary line, then stops the timers so that the VM exits. */
export async function runChecks(checks: Check[], timeoutMs = 8000): Promise<void> {
  const started = Date.now();
  let passed = 0;
  let failed = 0;
  out(`hermes: profile ${profile.name}: ${profile.about}; axios ${axios.VERSION}`);
  const report = (name: string, error: unknown): void => {
    if (error === undefined) {
      passed += 1;
      out(`PASS ${name}`);
    } else {
      failed += 1;
      // An unmet expectation says what went wrong; anything else thrown is shown as what it is.
      out(`FAIL ${name}: ${error instanceof Unmet ? error.message : `threw ${describe(error)}`}`);
    }
  };
  for (const check of checks) {
    const before = uncaught.length;
    let error: unknown;
    try {
      await within(check.run(), timeoutMs);
    } catch (caught) {
      error = caught ?? new Unmet('rejected with undefined');
    }
    // What went unhandled while the check ran is its failure too (reported once more at the end).
    if (error === undefined && uncaught.length > before) error = new Unmet(uncaught.slice(before).join('; '));
    report(check.name, error);
  }
  // Rejections are tracked when a promise is collected or the job queue drains: give them a turn.
  await delay(5);
  report('no exception or promise rejection went unhandled', uncaught.length > 0 ? new Unmet(uncaught.join('; ')) : undefined);
  out(`hermes: ${profile.name} (axios ${axios.VERSION}): checks took ${Date.now() - started} ms`);
  out(`hermes: ${profile.name} (axios ${axios.VERSION}): ${passed} passed, ${failed} failed`);
  stopTimers();
}
