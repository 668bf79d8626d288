// Timers that honour their delay, as React Native's do. The Hermes CLI's own `setTimeout` runs
// every callback at its next turn whatever the delay (a 10 s refresh timeout would fire at once).
// Here each pending timer has a due time on the real clock (`Date.now()`); the host's
// `setTimeout(…, 0)` drives turns, and a turn fires the earliest due timer only once the clock
// has reached it (ties in the order they were set), one timer a turn so that promise jobs run
// between them, as in React Native. While a timer is pending and not yet due, the turns spin:
// waits in the app are short, and a deadline stops the whole app if one is not.

type Callback = (...args: unknown[]) => void;

interface Timer {
  due: number;
  order: number;
  callback: Callback;
  args: unknown[];
  /** Set for `setInterval`: the period. */
  every: number | undefined;
}

interface HostTimers {
  setTimeout(callback: () => void, delay: number): unknown;
}

const pending = new Map<number, Timer>();
let lastId = 0;
let lastOrder = 0;
let turnScheduled = false;
let stopped = false;
let host: HostTimers | undefined;
let onUncaught: (error: unknown) => void = () => {};

function schedule(): void {
  if (turnScheduled || stopped || pending.size === 0 || !host) return;
  turnScheduled = true;
  host.setTimeout(turn, 0);
}

function turn(): void {
  turnScheduled = false;
  let first: [number, Timer] | undefined;
  for (const entry of pending) {
    const timer = entry[1];
    if (!first || timer.due < first[1].due || (timer.due === first[1].due && timer.order < first[1].order)) first = entry;
  }
  if (first && first[1].due <= Date.now()) {
    const [id, timer] = first;
    if (timer.every === undefined) {
      pending.delete(id);
    } else {
      timer.due = Date.now() + timer.every;
      timer.order = ++lastOrder;
    }
    try {
      timer.callback(...timer.args);
    } catch (error) {
      // React Native hands a timer's exception to its global error handler.
      onUncaught(error);
    }
  }
  schedule();
}

function add(callback: unknown, delay: unknown, args: unknown[], repeat: boolean): number {
  if (typeof callback !== 'function') throw new TypeError('The callback of a timer must be a function');
  const ms = Math.max(0, Number(delay) || 0);
  const id = ++lastId;
  pending.set(id, {
    due: Date.now() + ms,
    order: ++lastOrder,
    callback: callback as Callback,
    args,
    every: repeat ? Math.max(1, ms) : undefined,
  });
  schedule();
  return id;
}

function cancel(id: unknown): void {
  if (typeof id === 'number') pending.delete(id);
}

/** Replaces the host's timers on the global object with the queue's; `uncaught` hears a callback's exception. */
export function installTimers(uncaught: (error: unknown) => void): void {
  const g = globalThis as unknown as Record<string, unknown>;
  const hostSetTimeout = g['setTimeout'];
  if (typeof hostSetTimeout !== 'function') throw new Error('timers: the host has no setTimeout');
  host = { setTimeout: hostSetTimeout as HostTimers['setTimeout'] };
  onUncaught = uncaught;
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
  };
  define('setTimeout', (callback: unknown, delay?: unknown, ...args: unknown[]) => add(callback, delay, args, false));
  define('setInterval', (callback: unknown, delay?: unknown, ...args: unknown[]) => add(callback, delay, args, true));
  define('setImmediate', (callback: unknown, ...args: unknown[]) => add(callback, 0, args, false));
  define('clearTimeout', cancel);
  define('clearInterval', cancel);
  define('clearImmediate', cancel);
  // React Native queues microtasks on the engine's job queue; a resolved promise's job is one.
  define('queueMicrotask', (callback: unknown) => {
    if (typeof callback !== 'function') throw new TypeError('queueMicrotask: the callback must be a function');
    Promise.resolve()
      .then(callback as () => void)
      .catch(onUncaught);
  });
}

/** How many timers are pending. */
export function pendingTimers(): number {
  return pending.size;
}

/** Drops every pending timer and stops turning, so that the VM can exit. */
export function stopTimers(): void {
  stopped = true;
  pending.clear();
}
