import { SessionEndedError } from '../../src/errors.js';
import type { LogoutReason, SessionTokens, TokenSource } from '../../src/types.js';
import { issueTokens } from './jwt.js';

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
  readonly listeners = new Set<() => void>();
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

  signIn(): SessionTokens {
    this.tokens = issueTokens(++this.serial, this.lifetimeSeconds, this.serverNow());
    this.notify();
    return this.tokens;
  }

  signOut(): void {
    this.tokens = undefined;
    this.notify();
  }

  /** A refresh made elsewhere (another tab, the app itself). */
  refreshElsewhere(): SessionTokens {
    return this.signIn();
  }

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private async getTokens({ forceRefresh }: { forceRefresh: boolean }): Promise<SessionTokens | undefined> {
    if (forceRefresh) this.refreshes += 1;
    else this.reads += 1;
    const before = this.tokens;
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
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
      case 'tokens':
        if (!this.tokens) return undefined;
        this.tokens = issueTokens(++this.serial, this.lifetimeSeconds, this.serverNow());
        return this.tokens;
    }
  }
}
