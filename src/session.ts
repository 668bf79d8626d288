import { AmplifyAuthError, forRequest, isAmplifyAuthError } from './errors.js';
import type { Abandonment } from './timeout.js';
import type { SessionTokens } from './types.js';

export type Tokens = SessionTokens | undefined;

/**
 * One session as the plugin sees it: from a sign-in (or from install) to the next session change
 * (sign-out, sign-in, another user) or session end. Every request, read and refresh belongs to the
 * session that was current when it started, and nothing of one session reaches a request of
 * another: when a session is left, whatever still waits in it is rejected at once.
 */
export class Session {
  /** The user (`sub`) whose tokens this session has seen; `undefined` until then. */
  user: string | undefined;
  /** The last tokens seen in this session. */
  tokens: Tokens;
  /** `tokens` may be sent without asking the source: it has `subscribe` and nothing changed since. */
  fresh = false;
  /**
   * A session end fires `logout`: true from install (a stored session may be there) and once
   * tokens are seen; false once the source said nobody is signed in, and after an end.
   */
  armed: boolean;
  /** `logout` fired for this session already (or for the one it follows): a source's complaint fires no other. */
  quiet: boolean;
  /** How many times the source said this user's tokens changed elsewhere. */
  tokenChanges = 0;
  read: Promise<Tokens> | undefined;
  refresh: Promise<Tokens> | undefined;
  /** The token the refresh in flight replaces. */
  replacing: string | undefined;
  /** Aborts the refresh in flight: releases its lock when the session is left. */
  abandonRefresh: Abandonment | undefined;
  /** A token that a forced refresh gave back unchanged: refreshing it again as "expiring" would loop. */
  unrenewable: string | undefined;
  /** Why this session was left, once it was: what every request still in it rejects with. */
  left: AmplifyAuthError | undefined;
  readonly #waiters = new Set<{ call: Promise<Tokens>; reject: (error: unknown) => void }>();
  /** Reads of a source without `subscribe` in flight: each is judged by its own answer. */
  readonly ownReads = new Set<Promise<Tokens>>();
  /** The number of the read that showed this session's user: reads asked before it answer an older state. */
  since = 0;

  constructor({ armed = true, quiet = false } = {}) {
    this.armed = armed;
    this.quiet = quiet;
  }

  /**
   * `call` as this session's requests see it: its answer, unless the session is left first. A
   * call that itself found the session changed (a read that met another user) is `cause` then,
   * and its own waiters still get its answer.
   */
  wait(call: Promise<Tokens>): Promise<Tokens> {
    if (this.left) {
      // Nobody waits for `call` then: its own failure must not go unhandled.
      call.catch(() => {});
      return Promise.reject(this.left);
    }
    return new Promise<Tokens>((resolve, reject) => {
      const waiter = { call, reject };
      this.#waiters.add(waiter);
      call.then(resolve, reject).finally(() => this.#waiters.delete(waiter));
    });
  }

  /** `call` no longer counts as in flight: the next caller asks afresh. */
  release(call: Promise<Tokens>): void {
    if (this.read === call) this.read = undefined;
    if (this.refresh === call) {
      this.refresh = undefined;
      this.abandonRefresh = undefined;
      this.replacing = undefined;
    }
  }

  /** What is in memory can no longer be trusted (nobody hears the source's changes any more). */
  forget(): void {
    this.fresh = false;
    this.read = undefined;
  }

  /** Leaves the session: every waiter (but those of `cause`) rejects with `error`, the refresh is abandoned. */
  leave(error: AmplifyAuthError, cause?: Promise<Tokens>, spareReads = false): void {
    this.left = error;
    this.fresh = false;
    this.abandonRefresh?.abort(error);
    for (const waiter of this.#waiters) if (waiter.call !== cause && !(spareReads && this.ownReads.has(waiter.call))) waiter.reject(error);
  }
}

/** The error a request of `session` rejects with, carrying the request's config. */
export function asRequestError(error: unknown, config: Parameters<typeof forRequest>[1]): unknown {
  return isAmplifyAuthError(error) ? forRequest(error, config) : error;
}

/** True when `token` is one of the tokens of `tokens`: nothing newer has arrived since it was sent. */
export function holds(tokens: SessionTokens, token: string): boolean {
  return tokens.idToken === token || tokens.accessToken === token;
}

/** A source's answer, checked: a token that is not a string is the source's bug, said clearly. */
export function checked(tokens: unknown): Tokens {
  if (tokens === undefined || tokens === null) return undefined;
  const { idToken, accessToken } = tokens as Partial<Record<keyof SessionTokens, unknown>>;
  if (typeof idToken !== 'string' || typeof accessToken !== 'string') {
    throw new AmplifyAuthError(
      'REFRESH_FAILED',
      'The token source answered tokens that are not strings: `getTokens` must resolve with `{ idToken, accessToken }` as raw JWT strings (Amplify v6: `tokens.idToken.toString()`)',
    );
  }
  return tokens as SessionTokens;
}

// The signal that abandons a call to the source, by the options object of that call: a source that
// waits (the Amplify adapters, for another tab's lock) stops waiting when the plugin gives up.
const abandonSignals = new WeakMap<object, AbortSignal>();

/** The options of one call to `getTokens`, carrying the signal that abandons it (see {@link abandonSignalOf}). */
export function readOptions(forceRefresh: boolean, abandon: AbortSignal): { forceRefresh: boolean } {
  const options = { forceRefresh };
  abandonSignals.set(options, abandon);
  return options;
}

/** The signal that abandons the `getTokens` call made with `options`, when the plugin made it. */
export function abandonSignalOf(options: object): AbortSignal | undefined {
  return abandonSignals.get(options);
}
