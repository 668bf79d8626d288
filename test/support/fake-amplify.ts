import { issueTokens } from './jwt.js';
import { delay } from './time.js';

type HubCallback = (capsule: { payload: { event: string; data?: unknown } }) => void;

/** An error shaped like Cognito's service errors as Amplify surfaces them. */
export function cognitoError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const clearsTokens = [
  'NotAuthorizedException',
  'TokenRevokedException',
  'UserNotFoundException',
  'PasswordResetRequiredException',
  'UserNotConfirmedException',
  'RefreshTokenReuseException',
];

/**
 * Amplify v6's `fetchAuthSession` and `Hub` as amplify-js's `TokenOrchestrator` behaves
 * (packages/auth/src/providers/cognito/tokenProvider/TokenOrchestrator.ts):
 * overlapping refreshes are de-duplicated; a refresh failure is dispatched on Hub before the call
 * settles; a dead refresh token (NotAuthorizedException) resolves without tokens; other
 * authentication errors clear the tokens and throw; transient errors throw and keep the tokens.
 */
export class FakeAmplifyV6 {
  private serial = 0;
  private stored: { idToken: string; accessToken: string } | undefined;
  private inflight: Promise<void> | undefined;
  private readonly listeners = new Set<HubCallback>();
  refreshCalls = 0;
  /** Amplify merges overlapping refreshes; off, every forced call refreshes (sequential calls do). */
  dedupe = true;
  /** What the next refreshes answer: undefined for success. */
  refreshError: Error | undefined;

  readonly Hub = {
    listen: (_channel: 'auth', callback: HubCallback) => {
      this.listeners.add(callback);
      return () => {
        this.listeners.delete(callback);
      };
    },
  };

  get hubListeners(): number {
    return this.listeners.size;
  }

  readonly fetchAuthSession = async (options?: { forceRefresh?: boolean }) => {
    await Promise.resolve();
    if (this.stored && options?.forceRefresh) {
      if (!this.dedupe) await this.refresh();
      else {
        this.inflight ??= this.refresh().finally(() => {
          this.inflight = undefined;
        });
        await this.inflight;
      }
    }
    const stored = this.stored;
    return {
      tokens: stored ? { idToken: { toString: () => stored.idToken }, accessToken: { toString: () => stored.accessToken } } : undefined,
    };
  };

  signIn(): void {
    this.stored = issueTokens(++this.serial);
    this.dispatch('signedIn');
  }

  signOut(): void {
    this.stored = undefined;
    this.dispatch('signedOut');
  }

  get currentSerial(): number {
    return this.serial;
  }

  private dispatch(event: string, data?: unknown): void {
    for (const listener of [...this.listeners]) listener({ payload: { event, data } });
  }

  private async refresh(): Promise<void> {
    this.refreshCalls += 1;
    await delay(5);
    const error = this.refreshError;
    if (!error) {
      this.stored = issueTokens(++this.serial);
      this.dispatch('tokenRefresh');
      return;
    }
    if (clearsTokens.some((name) => error.name.startsWith(name))) this.stored = undefined;
    this.dispatch('tokenRefresh_failure', { error });
    // A dead refresh token is no exception in v6: the session just has no tokens any more.
    if (error.name.startsWith('NotAuthorizedException')) return;
    throw error;
  }
}
