import { AmplifyAuthError, isAmplifyAuthError, isSessionEndedError, SessionEndedError, sessionChanged } from './errors.js';
import type { Emitter } from './events.js';
import { clockSkewOf, otherUser, readClaims } from './jwt.js';
import { checked, holds, readOptions, Session, type Tokens } from './session.js';
import { Abandonment, withTimeout } from './timeout.js';
import type { AmplifyAuthEvents, SessionTokens, SourceChange, TokenSource } from './types.js';

type Trigger = AmplifyAuthEvents['refresh']['trigger'];

/** The user of a set of tokens. */
export function userOf(tokens: SessionTokens): string | undefined {
  return readClaims(tokens.accessToken).sub ?? readClaims(tokens.idToken).sub;
}

/** What a call to the source is for. */
interface Ask {
  timeoutMs: number;
  /** Set for a forced refresh: why, and the token it replaces. */
  refresh?: { trigger: Trigger; stale: string };
}

/**
 * Everything this plugin knows about the sessions of one {@link TokenSource}, shared by every
 * install on that source: the current {@link Session} (its tokens, its one read and one
 * refresh in flight), and the events its end fires. A session change (the source's `onChange`,
 * tokens of another user) starts a new session and leaves the old one behind, with whatever was
 * in flight in it.
 */
export class SessionCoordinator {
  readonly #source: TokenSource;
  readonly #emitters = new Set<Emitter>();
  #unsubscribe: (() => void) | undefined;
  #stopHearingTabs: (() => void) | undefined;
  #current = new Session();
  /** The last session left that had tokens: another tab may still report how it ended. */
  #previous: Session | undefined;
  #clockSkewMs = 0;
  #reads = 0;

  constructor(source: TokenSource) {
    this.#source = source;
  }

  /** Adds the events of one install; the first subscribes to the source's changes and to the other tabs. */
  addEmitter(events: Emitter): void {
    if (this.#emitters.size === 0) this.#listen();
    this.#emitters.add(events);
  }

  /** Removes the events of one install; the last unsubscribes, after which memory can no longer be trusted. */
  removeEmitter(events: Emitter): void {
    if (!this.#emitters.delete(events) || this.#emitters.size > 0) return;
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    this.#stopHearingTabs?.();
    this.#stopHearingTabs = undefined;
    this.#current.forget();
    unsubscribe?.();
  }

  #listen(): void {
    const source = this.#source;
    if (source.subscribe) {
      // Validated before anything is kept: a `subscribe` that throws leaves no half-made state.
      const unsubscribe: unknown = source.subscribe((change) => this.#onChange(change));
      if (typeof unsubscribe !== 'function') {
        throw new TypeError('installAmplifyAuth: `source.subscribe` must return an unsubscribe function');
      }
      this.#unsubscribe = unsubscribe as () => void;
    }
    // Heard whether or not the tabs share the session yet: the Amplify adapters' session reaches
    // localStorage only at sign-in, after install.
    this.#stopHearingTabs = source.tabs?.onEndedElsewhere((reason, endedFor) => this.#onEndedElsewhere(reason, endedFor));
  }

  /** The session a request starting now belongs to. */
  get current(): Session {
    return this.#current;
  }

  /**
   * How far this machine's clock is ahead of Cognito's (negative) or behind it, learned from the
   * `iat` of freshly refreshed tokens as Amplify does; 0 while within the noise of latency and
   * rounding. Without it a clock that runs ahead would make every token look expiring.
   */
  get clockSkewMs(): number {
    return this.#clockSkewMs;
  }

  /** The tokens of `session` in memory when they can be sent without asking the source, else `false`. */
  peek(session: Session): Tokens | false {
    return session === this.#current && session.fresh && !session.refresh ? session.tokens : false;
  }

  /** The tokens to send in `session`: from memory, from the refresh in flight, or from the source. */
  tokens(session: Session, timeoutMs: number): Promise<Tokens> {
    if (session !== this.#current) return Promise.reject(session.left ?? sessionChanged());
    if (!this.#unsubscribe) {
      // Without `subscribe` only a read can tell that the user signed out or another signed in,
      // so it is made even while a refresh runs; the refresh is waited for only if the read
      // still shows the token that is being replaced.
      const call = this.#ask(session, { timeoutMs });
      session.ownReads.add(call);
      const done = (): void => void session.ownReads.delete(call);
      call.then(done, done);
      const read = session.wait(call);
      const refresh = session.refresh;
      const replacing = session.replacing;
      if (!refresh || replacing === undefined) return read;
      return read.then((tokens) => (tokens && holds(tokens, replacing) && session.refresh === refresh ? session.wait(refresh) : tokens));
    }
    if (session.refresh) return session.wait(session.refresh);
    if (session.fresh) return Promise.resolve(session.tokens);
    return session.wait((session.read ??= this.#ask(session, { timeoutMs })));
  }

  /**
   * Tokens of the same session newer than `stale`: the ones another request already got, else one
   * forced refresh shared by every caller. For a 401 the source is asked first, because a token
   * that changed since the request left needs no refresh.
   */
  async renew(session: Session, trigger: Trigger, stale: string, timeoutMs: number): Promise<Tokens> {
    if (session !== this.#current) throw session.left ?? sessionChanged();
    if (session.refresh) return session.wait(session.refresh);
    if (trigger === 'unauthorized') {
      const current = await this.tokens(session, timeoutMs);
      if (!current || !holds(current, stale)) return current;
      // Left while it read: no refresh for a session that is over (with rotation, a token spent for nobody).
      if (session !== this.#current) throw session.left ?? sessionChanged();
      if (session.refresh) return session.wait(session.refresh);
    } else {
      const current = session.tokens;
      if (current && (!holds(current, stale) || stale === session.unrenewable)) return current;
    }
    session.refresh = this.#ask(session, { timeoutMs, refresh: { trigger, stale } });
    return session.wait(session.refresh);
  }

  /** A session change, or what the source knows more precisely (see {@link SourceChange}). */
  #onChange(change: SourceChange | undefined): void {
    const session = this.#current;
    if (change === 'tokens') {
      session.tokenChanges += 1;
      session.fresh = false;
      session.read = undefined;
    } else if (typeof change === 'object' && change !== null && typeof change.ended === 'string') {
      // Amplify learned, in a call of the app's own, that the session ended: no token of it goes out.
      if (session.armed) this.#end(session, new SessionEndedError(change.ended, { cause: change.error }));
    } else {
      this.#change(session);
    }
  }

  /** Leaves `session` for a new one: what was in flight in it is left behind. */
  #change(session: Session, cause?: Promise<Tokens>, next = new Session(), since = this.#reads): Session {
    if (session === this.#current) this.#current = next;
    next.since = since;
    // Several changes may be heard for one (Amplify's cross-tab event and the storage event).
    if (session.tokens) this.#previous = session;
    session.leave(sessionChanged(), cause, cause !== undefined && !this.#unsubscribe);
    return next;
  }

  #emit<E extends keyof AmplifyAuthEvents>(event: E, payload: AmplifyAuthEvents[E]): void {
    for (const events of [...this.#emitters]) events.emit(event, payload);
  }

  #ask(session: Session, ask: Ask): Promise<Tokens> {
    const abandon = new Abandonment();
    const changesAtStart = session.tokenChanges;
    const { refresh } = ask;
    const seq = refresh ? undefined : ++this.#reads;
    if (refresh) {
      session.abandonRefresh = abandon;
      session.replacing = refresh.stale;
    }
    const source = this.#source;
    const tabs = refresh && source.tabs?.shared() ? source.tabs : undefined;
    const run = (): Promise<Tokens> =>
      tabs && refresh ? tabs.refresh(source, refresh.stale, abandon.signal) : source.getTokens(readOptions(!!refresh, abandon.signal));
    const call: Promise<Tokens> = withTimeout(run, ask.timeoutMs, abandon).then(
      (tokens) => {
        session.release(call);
        return this.#onTokens(session, call, checked(tokens), refresh, changesAtStart, seq);
      },
      (error: unknown) => {
        session.release(call);
        return this.#onFailure(session, error);
      },
    );
    return call;
  }

  #onTokens(
    session: Session,
    call: Promise<Tokens>,
    tokens: Tokens,
    refresh: Ask['refresh'],
    changesAtStart: number,
    seq?: number,
  ): Tokens {
    if (session !== this.#current) {
      // A read of a source without `subscribe`, in a session another read found changed: its own
      // answer tells whether its request is of the new session.
      if (
        seq !== undefined &&
        session.ownReads.has(call) &&
        (!tokens || (this.#current.tokens && !otherUser(userOf(tokens), this.#current.user)))
      )
        return tokens;
      // A session left meanwhile: its answer is not kept, and nobody of a newer session gets it.
      throw session.left ?? sessionChanged();
    }
    // A read asked before the one that showed this session's user answers an older state: its request's session changed.
    const stale = seq !== undefined && seq < session.since;
    if (tokens) {
      const user = userOf(tokens);
      if (session.tokens && otherUser(user, session.user)) {
        if (stale) throw sessionChanged();
        // Another user's tokens: the session changed without the source saying so. A refresh was
        // asked for the old user's requests, which must not get them; a read starts the new session.
        if (refresh) {
          this.#change(session);
          throw sessionChanged();
        }
        this.#change(session, call, this.#seen(new Session(), tokens, user, 0), seq);
        return tokens;
      }
      if (!session.tokens && seq !== undefined) session.since = seq;
      this.#seen(session, tokens, user, changesAtStart);
      if (refresh) {
        if (holds(tokens, refresh.stale)) session.unrenewable = refresh.stale;
        else this.#clockSkewMs = clockSkewOf(tokens.accessToken, this.#clockSkewMs);
        this.#emit('refresh', { trigger: refresh.trigger });
      }
      return tokens;
    }
    // A forced refresh without tokens in a session that had them: it ended (a sign-out by the app
    // would have been a session change first, for a source with `subscribe`).
    if (refresh && session.armed) throw this.#end(session, new SessionEndedError('session-ended'));
    // Nobody is signed in. For a session that had a user, that is a sign-out nobody announced.
    if (session.tokens) {
      if (stale) return undefined;
      this.#change(session, call, this.#seen(new Session(), undefined, undefined, 0), seq);
      return undefined;
    }
    return this.#seen(session, undefined, undefined, changesAtStart).tokens;
  }

  /** Records what the source answered in `session`; only an answer nothing changed during is kept fresh. */
  #seen(session: Session, tokens: Tokens, user: string | undefined, changesAtStart: number): Session {
    session.tokens = tokens;
    session.fresh = this.#unsubscribe !== undefined && session.tokenChanges === changesAtStart;
    session.armed = tokens !== undefined;
    if (tokens) {
      session.user = user ?? session.user;
      session.quiet = false;
    }
    return session;
  }

  #onFailure(session: Session, error: unknown): never {
    // An old session's failure fires nothing: no logout for a session that is not current.
    if (session !== this.#current) throw session.left ?? sessionChanged();
    if (isSessionEndedError(error)) throw this.#end(session, error);
    if (isAmplifyAuthError(error) && error.code === 'SESSION_CHANGED') {
      // The source refused tokens of another user than the one signed in (Amplify wrote an old
      // session's refresh over the new one): that session is lost; say so once.
      session.fresh = false;
      session.tokens = undefined;
      if (!session.quiet) {
        session.quiet = true;
        session.armed = false;
        this.#emit('logout', { reason: 'session-ended', error });
      }
      throw error;
    }
    // Transient: the session and the tokens in memory are kept; the next request tries afresh.
    const timedOut = isAmplifyAuthError(error) && error.code === 'REFRESH_TIMEOUT';
    const failure = timedOut
      ? error
      : new AmplifyAuthError('REFRESH_FAILED', 'The tokens could not be refreshed; the session is kept', { cause: error });
    this.#emit('refreshError', { error: timedOut ? failure : error });
    throw failure;
  }

  /** The session ended: `logout` once (if it had tokens), its requests reject with `error`. */
  #end(session: Session, error: SessionEndedError): SessionEndedError {
    if (session === this.#current) this.#current = new Session({ armed: false, quiet: true });
    const announce = session.armed;
    session.armed = false;
    session.leave(error);
    if (announce) {
      const tabs = this.#source.tabs;
      if (session.tokens && tabs?.shared()) tabs.noteEnded(session.tokens.accessToken, error.reason);
      this.#emit('logout', { reason: error.reason, error: error.cause ?? error });
    }
    return error;
  }

  /**
   * Another tab's refresh ended a session. If it is this tab's user's (`endedFor`), and the source
   * has no newer tokens (the storage is shared), this tab fires `logout` too, without asking Cognito.
   */
  #onEndedElsewhere(reason: SessionEndedError['reason'], endedFor: (token: string) => boolean): void {
    // The other tab's cleared storage may have been heard first, as a sign-out: then the session
    // that ended is the one just left.
    const session = this.#current.tokens ? this.#current : this.#previous;
    if (!session?.armed || !session.tokens || !endedFor(session.tokens.accessToken)) return;
    session.fresh = false;
    const dead = session.tokens.accessToken;
    const ended = (tokens: Tokens): void => {
      // The storage may not show the other tab's clearing yet: still the dead tokens is no news.
      if ((tokens && !holds(tokens, dead)) || !session.armed) return;
      // More of the other tab's writes may have been heard meanwhile; only a sign-in since stops it.
      if (this.#current !== session && this.#current.tokens) return;
      this.#end(session, new SessionEndedError(reason));
    };
    // A source that knows the stored tokens to be of the session that ended says so.
    this.#source.getTokens({ forceRefresh: false }).then(ended, (error: unknown) => isSessionEndedError(error) && ended(undefined));
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
