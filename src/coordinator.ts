import { hasRefreshLock, noteSessionEnded, onSessionEndedElsewhere, sessionEndedElsewhere, withRefreshLock } from './cross-tab.js';
import { AmplifyAuthError, isSessionEndedError, SessionEndedError } from './errors.js';
import type { Emitter } from './events.js';
import { readTokenTimes } from './jwt.js';
import type { AmplifyAuthEvents, SessionTokens, TokenSource } from './types.js';

type Trigger = AmplifyAuthEvents['refresh']['trigger'];
type Tokens = SessionTokens | undefined;

// `iat` has one-second resolution and the answer took a round trip: below this, no skew is seen.
const skewNoiseMs = 30_000;
// How long a tab that waited for the refresh lock looks for the other tab's tokens: 10 × 50 ms.
const storageSyncLooks = 10;
const storageSyncPauseMs = 50;

/** True when `token` is one of the tokens of `tokens`: nothing newer has arrived since it was sent. */
function holds(tokens: SessionTokens, token: string): boolean {
  return tokens.idToken === token || tokens.accessToken === token;
}

/**
 * Everything this plugin knows about the session of one {@link TokenSource}, shared by every
 * handle installed on that source: the tokens kept in memory, the one call to the source in
 * flight, and whether the session may still end with a `logout`.
 *
 * Calls to the source are numbered; a call that settles after a later-started one has settled
 * answers with that newer knowledge instead of overwriting it.
 */
export class SessionCoordinator {
  readonly #source: TokenSource;
  readonly #handles = new Set<Emitter>();
  #unsubscribe: (() => void) | undefined;
  #stopHearingTabs: (() => void) | undefined;

  /** The newest tokens seen; `undefined` when nobody is signed in (or not known yet). */
  #latest: Tokens;
  /** `#latest` may be sent without asking the source: it has `subscribe` and nothing changed since. */
  #fresh = false;
  #calls = 0;
  #latestCall = 0;
  /** How many times the source said its tokens changed, and how many it had said when tokens were last seen. */
  #changes = 0;
  #changesWhenSeen = 0;
  /** A session end fires `logout`; only tokens (a new sign-in) re-arm it after that. */
  #armed = true;
  /** Tokens of the current session, and of the one that ended last with the error that ended it. */
  #sessionTokens = new Set<string>();
  #ended: { tokens: Set<string>; error: SessionEndedError } | undefined;
  #read: Promise<Tokens> | undefined;
  #refresh: Promise<Tokens> | undefined;
  /** A token that a forced refresh gave back unchanged: refreshing it again as "expiring" would loop. */
  #unrenewable: string | undefined;
  #clockSkewMs = 0;

  constructor(source: TokenSource) {
    this.#source = source;
  }

  /** Adds a handle; the first one subscribes to the source's changes and to the other tabs. */
  attach(handle: Emitter): void {
    this.#handles.add(handle);
    if (this.#handles.size !== 1) return;
    if (this.#source.subscribe) {
      const unsubscribe = this.#source.subscribe(() => this.#onChange());
      if (typeof unsubscribe !== 'function') {
        this.#handles.delete(handle);
        throw new TypeError('installAmplifyAuth: `source.subscribe` must return an unsubscribe function');
      }
      this.#unsubscribe = unsubscribe;
    }
    this.#stopHearingTabs = onSessionEndedElsewhere((reason) => void this.#onEndedElsewhere(reason));
  }

  /** Removes a handle; the last one unsubscribes, after which memory can no longer be trusted. */
  detach(handle: Emitter): void {
    if (!this.#handles.delete(handle) || this.#handles.size > 0) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#stopHearingTabs?.();
    this.#stopHearingTabs = undefined;
    this.#fresh = false;
    this.#read = undefined;
  }

  /**
   * How far this machine's clock is ahead of Cognito's (negative) or behind it, learned from the
   * `iat` of freshly refreshed tokens as Amplify does; 0 while within the noise of latency and
   * rounding. Without it a clock that runs ahead would make every token look expiring.
   */
  get clockSkewMs(): number {
    return this.#clockSkewMs;
  }

  /** The tokens in memory when they can be sent without asking the source, else `false`. */
  peek(): Tokens | false {
    return this.#fresh && !this.#refresh ? this.#latest : false;
  }

  /** The tokens to send: from memory, from the refresh in flight, or from the source. */
  tokens(timeoutMs: number): Promise<Tokens> {
    if (this.#refresh) return this.#refresh;
    if (!this.#unsubscribe) return this.#call(false, undefined, timeoutMs);
    if (this.#fresh) return Promise.resolve(this.#latest);
    return (this.#read ??= this.#call(false, undefined, timeoutMs));
  }

  /**
   * Tokens newer than `stale`: the ones another request already got, else one forced refresh
   * shared by every caller. For a 401 the source is asked first, because a token that changed
   * since the request left needs no refresh.
   */
  async renew(trigger: Trigger, stale: string, timeoutMs: number): Promise<Tokens> {
    if (this.#refresh) return this.#refresh;
    // A 401 that arrives after the session of its token ended meets that end too, not a bare 401.
    if (this.#ended?.tokens.has(stale)) throw this.#ended.error;
    if (trigger === 'unauthorized') {
      const current = await this.tokens(timeoutMs);
      if (!current || !holds(current, stale)) return current;
      if (this.#refresh) return this.#refresh;
    } else {
      const current = this.#latest;
      if (current && (!holds(current, stale) || stale === this.#unrenewable)) return current;
    }
    return (this.#refresh = this.#call(true, trigger, timeoutMs, stale));
  }

  #onChange(): void {
    this.#changes += 1;
    this.#fresh = false;
    this.#read = undefined;
  }

  #emit<E extends keyof AmplifyAuthEvents>(event: E, payload: AmplifyAuthEvents[E]): void {
    for (const handle of [...this.#handles]) handle.emit(event, payload);
  }

  #call(forceRefresh: boolean, trigger: Trigger | undefined, timeoutMs: number, stale?: string): Promise<Tokens> {
    const call = ++this.#calls;
    const changesAtStart = this.#changes;
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const giveUp = new AbortController();
    const ask = (): Promise<Tokens> =>
      forceRefresh && stale !== undefined && hasRefreshLock()
        ? withRefreshLock((waited) => this.#refreshUnlessRefreshedElsewhere(stale, waited), giveUp.signal)
        : this.#source.getTokens({ forceRefresh });
    const answer = new Promise<Tokens>((resolve, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        giveUp.abort();
        reject(new AmplifyAuthError('REFRESH_TIMEOUT', `The token source did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      // A source that throws synchronously is treated like one that rejects.
      new Promise<Tokens>((run) => run(ask())).then(resolve, reject);
    });
    const settled: Promise<Tokens> = answer.then(
      (tokens) => {
        clearTimeout(timer);
        this.#release(settled);
        return this.#onTokens(call, changesAtStart, tokens, trigger, stale);
      },
      (error: unknown) => {
        clearTimeout(timer);
        this.#release(settled);
        return this.#onFailure(call, changesAtStart, error, timedOut);
      },
    );
    return settled;
  }

  /**
   * With the lock held: another tab may have refreshed (or ended the session) while this one
   * waited, and the shared storage already says so. Only otherwise is Cognito asked. Another
   * tab's writes reach this tab's storage a moment after its lock is released (Chromium syncs
   * localStorage between processes asynchronously), so after a wait it looks again for a while.
   */
  async #refreshUnlessRefreshedElsewhere(stale: string, waited: boolean): Promise<Tokens> {
    for (let look = 1; ; look++) {
      const current = await this.#source.getTokens({ forceRefresh: false });
      if (current && !holds(current, stale)) return current;
      const endedElsewhere = current ? undefined : sessionEndedElsewhere();
      if (endedElsewhere) throw new SessionEndedError(endedElsewhere);
      if (!waited || look >= storageSyncLooks) break;
      await new Promise((resolve) => setTimeout(resolve, storageSyncPauseMs));
    }
    try {
      return await this.#source.getTokens({ forceRefresh: true });
    } catch (error) {
      // Noted before the lock is released, so that the next tab in line reads it.
      if (isSessionEndedError(error)) noteSessionEnded(error.reason);
      throw error;
    }
  }

  /**
   * Another tab's refresh ended the session. If this tab knew that session and its source has no
   * tokens now either (the storage is shared), it fires `logout` too, without asking Cognito.
   */
  async #onEndedElsewhere(reason: SessionEndedError['reason']): Promise<void> {
    if (this.#sessionTokens.size === 0) return;
    this.#onChange();
    const tokens = await this.#source.getTokens({ forceRefresh: false }).catch(() => undefined);
    if (tokens || this.#sessionTokens.size === 0) return;
    // Not the app's own sign-out, even if this tab already read the emptied storage as one.
    this.#armed = true;
    try {
      this.#endSession(new SessionEndedError(reason), false);
    } catch {
      // #endSession throws for the requests it ends; none is waiting here.
    }
  }

  /** The call no longer counts as in flight: the next caller asks afresh. */
  #release(call: Promise<Tokens>): void {
    if (this.#read === call) this.#read = undefined;
    if (this.#refresh === call) this.#refresh = undefined;
  }

  #onTokens(call: number, changesAtStart: number, tokens: Tokens, trigger: Trigger | undefined, stale?: string): Tokens {
    if (call < this.#latestCall) return this.#latest;
    this.#latestCall = call;
    // Only when the source said nothing during the call is its answer sure to still be current.
    const fresh = this.#unsubscribe !== undefined && this.#changes === changesAtStart;
    if (tokens) {
      this.#latest = tokens;
      this.#fresh = fresh;
      if (!this.#armed) this.#sessionTokens = new Set();
      this.#armed = true;
      this.#remember(tokens);
      this.#changesWhenSeen = this.#changes;
      if (trigger) {
        if (stale !== undefined && holds(tokens, stale)) this.#unrenewable = stale;
        else this.#learnClockSkew(tokens);
        this.#emit('refresh', { trigger });
      }
      return tokens;
    }
    // A forced refresh without tokens, with no sign-out reported since the last tokens: the
    // session ended. With a reported change it is the app's own sign-out, which is no logout.
    if (trigger && this.#latest && this.#changes === this.#changesWhenSeen) {
      return this.#endSession(new SessionEndedError('session-ended'));
    }
    this.#latest = undefined;
    this.#fresh = fresh;
    this.#armed = false;
    return undefined;
  }

  #learnClockSkew(tokens: SessionTokens): void {
    const { iat } = readTokenTimes(tokens.accessToken);
    if (iat === undefined) return;
    const skew = iat * 1000 - Date.now();
    this.#clockSkewMs = Math.abs(skew) < skewNoiseMs ? 0 : skew;
  }

  #onFailure(call: number, changesAtStart: number, error: unknown, timedOut: boolean): Tokens {
    if (call < this.#latestCall) return this.#latest;
    if (isSessionEndedError(error)) {
      this.#latestCall = call;
      // The source reported a sign-in (or new tokens) while this call ran: the session that ended
      // is not the current one, and a logout now would sign out a user who just signed in.
      // Its waiters still fail (they belong to the old session); later requests use the new one.
      if (this.#changes !== changesAtStart) {
        this.#fresh = false;
        throw error;
      }
      return this.#endSession(error);
    }
    // Transient: the session and the tokens in memory are kept; the next request tries afresh.
    const failure = timedOut
      ? (error as AmplifyAuthError)
      : new AmplifyAuthError('REFRESH_FAILED', 'The tokens could not be refreshed; the session is kept', { cause: error });
    this.#emit('refreshError', { error: timedOut ? failure : error });
    throw failure;
  }

  #remember(tokens: SessionTokens): void {
    // Enough to recognise the tokens of requests still in flight, without growing for ever.
    if (this.#sessionTokens.size > 16) this.#sessionTokens = new Set();
    this.#sessionTokens.add(tokens.idToken).add(tokens.accessToken);
  }

  #endSession(error: SessionEndedError, announce = true): never {
    this.#ended = { tokens: this.#sessionTokens, error };
    this.#fresh = false;
    this.#sessionTokens = new Set();
    this.#latest = undefined;
    if (this.#armed) {
      this.#armed = false;
      if (announce) noteSessionEnded(error.reason);
      this.#emit('logout', { reason: error.reason, error: error.cause ?? error });
    }
    throw error;
  }
}

const coordinators = new WeakMap<TokenSource, SessionCoordinator>();

/** The one coordinator of `source`: every instance installed on it shares its refreshes. */
export function coordinatorOf(source: TokenSource): SessionCoordinator {
  let coordinator = coordinators.get(source);
  if (!coordinator) {
    coordinator = new SessionCoordinator(source);
    coordinators.set(source, coordinator);
  }
  return coordinator;
}
