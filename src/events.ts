import type { AmplifyAuthEvents, AmplifyAuthListener } from './types.js';

type EventName = keyof AmplifyAuthEvents;
// Derived from the type, so that a new event cannot be forgotten here.
const events: Record<EventName, true> = { logout: true, refresh: true, refreshError: true, skip: true };
const eventNames: ReadonlySet<string> = new Set(Object.keys(events));

/** A typed event emitter in the manner of mitt, whose listeners cannot break the caller. */
export class Emitter {
  readonly #listeners = new Map<EventName, Set<AmplifyAuthListener<EventName>>>();

  on<E extends EventName>(event: E, listener: AmplifyAuthListener<E>): () => void {
    assertListener(event, listener);
    const set = this.#listeners.get(event) ?? new Set();
    set.add(listener as AmplifyAuthListener<EventName>);
    this.#listeners.set(event, set);
    return () => this.off(event, listener);
  }

  off<E extends EventName>(event: E, listener: AmplifyAuthListener<E>): void {
    this.#listeners.get(event)?.delete(listener as AmplifyAuthListener<EventName>);
  }

  /** True when `event` has a listener: a payload nobody hears need not be built. */
  has(event: EventName): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends EventName>(event: E, payload: AmplifyAuthEvents[E]): void {
    // A copy, so that a listener that unsubscribes itself does not skip the next one.
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (listener as AmplifyAuthListener<E>)(payload);
      } catch {
        // A listener's bug must not fail the request, the other listeners, or the process.
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}

function assertListener(event: unknown, listener: unknown): void {
  if (typeof event !== 'string' || !eventNames.has(event)) {
    throw new TypeError(`on: unknown event ${String(event)}; expected one of ${[...eventNames].join(', ')}`);
  }
  if (typeof listener !== 'function') throw new TypeError('on: `listener` must be a function');
}
