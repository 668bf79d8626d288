/**
 * Web Locks as a browser has them, for runtimes without `navigator.locks`: one FIFO queue per
 * lock name; `ifAvailable` answers `null` at once when the name is held; an aborted `signal`
 * gives up waiting.
 */
export function fakeLocks() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    request<T>(name: string, options: { signal?: AbortSignal; ifAvailable?: boolean }, task: (lock: unknown) => Promise<T>): Promise<T> {
      if (options.ifAvailable && tails.has(name)) return task(null);
      const run = (tails.get(name) ?? Promise.resolve()).then(() => {
        if (options.signal?.aborted) throw options.signal.reason;
        return task({ name });
      });
      const tail = run
        .catch(() => {})
        .then(() => {
          if (tails.get(name) === tail) tails.delete(name);
        });
      tails.set(name, tail);
      return run;
    },
  };
}
