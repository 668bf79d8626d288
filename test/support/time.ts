// Waiting in tests: for a state (until), for "at once" (settlesAtOnce), or a fake's latency
// (delay). No test waits a fixed time for something to have happened.

/** A fake's latency: an API that answers late, a source that takes its time. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `condition()` holds; rejects naming `what` after `ms` (no test waits unbounded). */
export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await delay(1);
  }
}

/**
 * Whether `promise` settles from what is queued already — within a few turns of the event loop,
 * long before any timer a test set (a refresh timeout, a hung source) could fire. What "at once"
 * means, without a wall-clock bound that a busy machine could break.
 */
export async function settlesAtOnce(promise: Promise<unknown>, turns = 10): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let turn = 0; turn < turns && !settled; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
  return settled;
}

/** Lets every pending callback and short timer run (a listener that is told asynchronously). */
export function nextTurns(turns = 10): Promise<void> {
  return settlesAtOnce(new Promise(() => {}), turns).then(() => undefined);
}

/** A door a fake waits at (`opened`) until the test opens it: an answer held for exactly as long as the test needs. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
