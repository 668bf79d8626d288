import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { Hub } from 'aws-amplify/utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalWorld, type LocalWorld } from '../harness/world.js';
import { delay } from '../support/time.js';
import { within } from '../support/within.js';

/**
 * What Amplify v6 does by itself against a Cognito that rotates refresh tokens (grace period 0),
 * with NO axios-amplify-auth installed: the double spends that nothing in the plugin can prevent,
 * because they happen between two calls of the app's own (or of Amplify's API, Storage, UI).
 *
 * Amplify shares a refresh only while its network call is in flight (`deDupeAsyncFunction` around
 * `refreshAuthTokens`), then stores the answer key by key — ID and access tokens before the new
 * refresh token (`DefaultTokenStore.storeTokens`). A refresh that starts in that gap reads the old
 * refresh token, which rotation has just invalidated. Amplify's default storages (localStorage, memory)
 * write within one task, so the gap is a few microtasks; an asynchronous storage (React Native's
 * AsyncStorage, an IndexedDB or encrypted store given to `setKeyValueStorage`) makes it milliseconds.
 * This file gives Amplify such a storage: each write takes 20 ms.
 */
const writeMs = 20;

let world: LocalWorld;
/** Called with the key of every write as it starts. */
let onWrite: (key: string) => void = () => {};

class SlowStorage {
  readonly #items = new Map<string, string>();
  async setItem(key: string, value: string): Promise<void> {
    onWrite(key);
    await delay(writeMs);
    this.#items.set(key, value);
  }
  async getItem(key: string): Promise<string | null> {
    return this.#items.get(key) ?? null;
  }
  async removeItem(key: string): Promise<void> {
    this.#items.delete(key);
  }
  async clear(): Promise<void> {
    this.#items.clear();
  }
}

const ledger = () => world.cognito.rotation!;
const outcomes = (from: number) =>
  ledger()
    .spends.slice(from)
    .map((spend) => spend.outcome);
/** Resolves when Amplify starts writing the key ending in `suffix` (the new access token: its network call is over). */
const writing = (suffix: string) =>
  new Promise<void>((resolve) => {
    onWrite = (key) => {
      if (!key.endsWith(suffix)) return;
      onWrite = () => {};
      resolve();
    };
  });

beforeAll(async () => {
  // 6 s tokens: Amplify takes them for expired 5 s before that, 1 s after they were issued.
  world = await startLocalWorld({ tokenSeconds: 6, rotation: { gracePeriodSeconds: 0 } });
  Amplify.configure(world.amplifyConfig);
  // After configure, which resets the storage.
  cognitoUserPoolsTokenProvider.setKeyValueStorage(new SlowStorage());
}, 30_000);

let failures: string[] = [];
let stopHub: () => void = () => {};

beforeEach(async () => {
  world.cognito.setRotationGracePeriod(0);
  onWrite = () => {};
  stopHub();
  failures = [];
  stopHub = Hub.listen('auth', ({ payload }) => {
    if (payload.event === 'tokenRefresh_failure') failures.push(String((payload.data as { error?: { name?: string } })?.error?.name));
  });
  await signOut().catch(() => {});
  await signIn({ username: world.cognito.username, password: world.cognito.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
});

afterAll(async () => {
  await signOut().catch(() => {});
  await world?.stop();
});

describe('Amplify v6 alone (no plugin) with an asynchronous token storage, against a Cognito that rotates (grace period 0)', () => {
  it('a second fetchAuthSession({ forceRefresh: true }) while the first one stores its answer spends the old refresh token again, and the session ends', async () => {
    const spends = ledger().spends.length;
    const stored = writing('.accessToken');
    const first = fetchAuthSession({ forceRefresh: true });
    await within(stored, 'the first refresh storing its tokens', 5000);
    // As Amplify's API category or the app's own code would: a forced refresh a moment later.
    const second = fetchAuthSession({ forceRefresh: true }).then(
      () => 'resolved',
      (error: { name?: string }) => error.name,
    );
    await first;
    expect(await second).toBe('RefreshTokenReuseException');
    expect(outcomes(spends)).toEqual(['rotated', 'reused']);
    expect(failures).toEqual(['RefreshTokenReuseException']);
    expect((await fetchAuthSession()).tokens).toBeUndefined(); // Amplify cleared the session
  });

  it('two plain fetchAuthSession() of an expired token, the second while the first stores its refresh: the old refresh token is spent again, and Amplify reports the session ended', async () => {
    await delay(1200); // the tokens are within Amplify's 5 s of expiry: every read refreshes
    const spends = ledger().spends.length;
    const stored = writing('.LastAuthUser');
    const first = fetchAuthSession();
    await within(stored, 'the first read storing its refresh', 5000);
    const second = fetchAuthSession().then(
      (session) => (session.tokens ? 'tokens' : 'no tokens'),
      (error: { name?: string }) => error.name,
    );
    await first.catch(() => {});
    expect(await second).toBe('RefreshTokenReuseException');
    expect(outcomes(spends)).toEqual(['rotated', 'reused']);
    // Amplify reported the failure on Hub (`tokenRefresh_failure`: Amplify UI signs the user out on
    // it) and cleared the session while the first read was still writing its tokens: what is left in
    // the storage depends on which write came last.
    expect(failures).toEqual(['RefreshTokenReuseException']);
  });

  it('with a grace period (RetryGracePeriodSeconds 10), the same second forced refresh is answered: the session survives', async () => {
    world.cognito.setRotationGracePeriod(10);
    const spends = ledger().spends.length;
    const stored = writing('.accessToken');
    const first = fetchAuthSession({ forceRefresh: true });
    await within(stored, 'the first refresh storing its tokens', 5000);
    const second = fetchAuthSession({ forceRefresh: true }).then(
      (session) => (session.tokens ? 'tokens' : 'no tokens'),
      (error: { name?: string }) => error.name,
    );
    await first;
    expect(await second).toBe('tokens');
    // The old token was spent twice, within the grace period: no refusal, no failure on Hub.
    expect(outcomes(spends)).toEqual(['rotated', 'within-grace']);
    expect(failures).toEqual([]);
    expect((await fetchAuthSession()).tokens).toBeDefined();
  });
});
