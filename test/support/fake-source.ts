import { SessionEndedError } from '../../src/errors.js';
import type { LogoutReason, SessionTokens, SourceChange, TokenSource } from '../../src/types.js';
import { issueTokens, userOfToken } from './jwt.js';
import { delay } from './time.js';

export type RefreshOutcome =
  | { kind: 'tokens' }
  | { kind: 'same' }
  | { kind: 'nothing' }
  | { kind: 'ended'; reason: LogoutReason }
  | { kind: 'transient'; error: Error }
  | { kind: 'hang' };

/**
 * A token source that behaves like a session store: sign in, sign out, refresh, and a refresh
 * outcome that a test can set. Counts every call; calls take `latencyMs` of (fake or real) time.
 */
export class FakeSession {
  tokens: SessionTokens | undefined;
  serial = 0;
  lifetimeSeconds = 3600;
  latencyMs = 5;
  /** Cognito's clock, which this machine's may disagree with. */
  serverNow: () => number = () => Date.now();
  reads = 0;
  refreshes = 0;
  refreshOutcome: RefreshOutcome = { kind: 'tokens' };
  readFailure: Error | undefined;
  readonly listeners = new Set<(change?: SourceChange) => void>();
  readonly source: TokenSource;

  constructor({ subscribe = true }: { subscribe?: boolean } = {}) {
    const getTokens = (options: { forceRefresh: boolean }) => this.getTokens(options);
    this.source = subscribe
      ? {
          getTokens,
          subscribe: (onChange) => {
            this.listeners.add(onChange);
            return () => this.listeners.delete(onChange);
          },
        }
      : { getTokens };
  }

  /** Signs `user` in (the tokens' `sub`; `'user-1'` without it) and tells the listeners: a session change. */
  signIn(user?: string): SessionTokens {
    this.tokens = issueTokens(++this.serial, this.lifetimeSeconds, this.serverNow(), user);
    this.notify();
    return this.tokens;
  }

  signOut(): void {
    this.tokens = undefined;
    this.notify();
  }

  /**
   * A refresh made elsewhere (another tab, the app itself): new tokens of the same user, told to
   * the listeners as `'tokens'` (not a session change).
   */
  refreshElsewhere(): SessionTokens {
    if (!this.tokens) return this.signIn();
    this.tokens = this.issueFor(this.tokens);
    this.notify('tokens');
    return this.tokens;
  }

  notify(change?: SourceChange): void {
    for (const listener of [...this.listeners]) {
      if (change === undefined) listener();
      else listener(change);
    }
  }

  /** New tokens of the user of `tokens` (`'user-1'` without). */
  private issueFor(tokens: SessionTokens | undefined): SessionTokens {
    return issueTokens(++this.serial, this.lifetimeSeconds, this.serverNow(), tokens && userOfToken(tokens.accessToken));
  }

  private async getTokens({ forceRefresh }: { forceRefresh: boolean }): Promise<SessionTokens | undefined> {
    if (forceRefresh) this.refreshes += 1;
    else this.reads += 1;
    const before = this.tokens;
    await delay(this.latencyMs);
    if (!forceRefresh) {
      if (this.readFailure) throw this.readFailure;
      return this.tokens;
    }
    const outcome = this.refreshOutcome;
    switch (outcome.kind) {
      case 'hang':
        return new Promise(() => {});
      case 'transient':
        throw outcome.error;
      case 'ended':
        // Clears the session it failed to refresh, not one signed in meanwhile.
        if (this.tokens === before) this.tokens = undefined;
        throw new SessionEndedError(outcome.reason, { cause: new Error(`cognito: ${outcome.reason}`) });
      case 'nothing':
        this.tokens = undefined;
        return undefined;
      case 'same':
        return this.tokens;
      case 'tokens': {
        if (!this.tokens) return undefined;
        // Cognito refreshes the user whose refresh token was sent: the one signed in when it was
        // asked. Another user signed in meanwhile keeps that user's tokens in the store.
        const refreshed = this.issueFor(before ?? this.tokens);
        if (!before || userOfToken(before.accessToken) === userOfToken(this.tokens.accessToken)) this.tokens = refreshed;
        return refreshed;
      }
    }
  }
}
