import { AmplifyAuthError } from './errors.js';

/**
 * Runs `task` with a deadline. When `timeoutMs` passes first, the promise rejects with
 * `REFRESH_TIMEOUT` and `abandon` aborts, so that whatever the task holds (a Web Lock) is released
 * at once; the task itself may go on, but nobody waits for it any more.
 */
export function withTimeout<T>(task: () => Promise<T>, timeoutMs: number, abandon: AbortController): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      abandon.signal.removeEventListener('abort', onAbandon);
      abandon.abort();
      reject(new AmplifyAuthError('REFRESH_TIMEOUT', `The token source did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    // Abandoned for another reason (the session was left): no timer outlives the call.
    const onAbandon = (): void => {
      clearTimeout(timer);
      reject(abandon.signal.reason);
    };
    abandon.signal.addEventListener('abort', onAbandon, { once: true });
    const settle = (): void => {
      clearTimeout(timer);
      abandon.signal.removeEventListener('abort', onAbandon);
    };
    // A source that throws synchronously is treated like one that rejects.
    new Promise<T>((run) => run(task())).then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}

/** `promise`, or a rejection as soon as `signal` aborts: what a lock holder awaits, so that an abort releases the lock. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // Nobody waits for the task any more; its own failure must not go unhandled.
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
