import { AmplifyAuthError } from './errors.js';

/** A signal of our own where the runtime has no `AbortController`: enough for {@link withTimeout}. */
function standInController(): { signal: AbortSignal; abort: (reason: unknown) => void } {
  const listeners = new Set<() => void>();
  const signal = {
    aborted: false,
    reason: undefined as unknown,
    addEventListener: (_type: 'abort', listener: () => void) => void listeners.add(listener),
    removeEventListener: (_type: 'abort', listener: () => void) => void listeners.delete(listener),
  };
  const abort = (reason: unknown): void => {
    signal.aborted = true;
    signal.reason = reason;
    for (const listener of [...listeners]) listener();
    listeners.clear();
  };
  return { signal: signal as unknown as AbortSignal, abort };
}

/**
 * What abandons one call to the source (a refresh left at a session change, or timed out), and
 * why. The reason is kept here as well as on the signal: the `abort-controller` polyfill of React
 * Native 0.74–0.82 gives signals no `reason`. Without any `AbortController` a stand-in signal
 * serves; only the Web Locks API, which exists only beside a real one, needs the real thing.
 */
export class Abandonment {
  readonly signal: AbortSignal;
  readonly #abort: (reason: unknown) => void;
  #reason: unknown;

  constructor() {
    if (typeof AbortController === 'function') {
      const controller = new AbortController();
      this.signal = controller.signal;
      this.#abort = (reason) => controller.abort(reason);
    } else {
      ({ signal: this.signal, abort: this.#abort } = standInController());
    }
  }

  get reason(): unknown {
    return this.#reason;
  }

  abort(reason: unknown): void {
    if (this.signal.aborted) return;
    this.#reason = reason;
    this.#abort(reason);
  }
}

/**
 * Runs `task` with a deadline. When `timeoutMs` passes first, the promise rejects with
 * `REFRESH_TIMEOUT` and `abandon` aborts, so that whatever the task holds (a Web Lock) is released
 * at once; the task itself may go on, but nobody waits for it any more. Abandoned for another
 * reason, it rejects with that reason.
 */
export function withTimeout<T>(task: () => Promise<T>, timeoutMs: number, abandon: Abandonment): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      abandon.signal.removeEventListener('abort', onAbandon);
      const timedOut = new AmplifyAuthError('REFRESH_TIMEOUT', `The token source did not answer within ${timeoutMs} ms`);
      abandon.abort(timedOut);
      reject(timedOut);
    }, timeoutMs);
    // Abandoned for another reason (the session was left): no timer outlives the call.
    const onAbandon = (): void => {
      clearTimeout(timer);
      reject(abandon.reason);
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
