import { isAxiosError } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { fromFetchAuthSession, installAmplifyAuth } from '../src/core.js';
import type { AmplifyAuthEvents, AmplifyAuthOptions, SessionTokens, TokenSource } from '../src/types.js';
import { createApi } from './support/api.js';
import { FakeSession } from './support/fake-source.js';
import { issueTokens, userOfToken } from './support/jwt.js';
import { within as withinMs } from './support/within.js';
import { delay } from './support/time.js';

/**
 * Account switches: user A is signed in, then signs out, and user B signs in, while something of
 * A's session is still under way (a refresh, a read, a request the server holds). The contract:
 * a request belongs to the session current when the plugin starts to get its token, goes out only
 * with that session's token or none, and rejects with `SESSION_CHANGED` when its session changed
 * before its token (or its retry) was ready; the new session is served at once; `logout` fires
 * only for a session that ended.
 *
 * Every attempt the mock API records is checked against the invariant: a request's token belongs
 * to the user current (in the source) when the request started, or it is not sent.
 */

const A = 'user-a';
const B = 'user-b';
/** How long "at once" may take: generous, so that a slow machine cannot flake a test. */
const promptlyMs = 2000;

interface Gate {
  promise: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** `promise`, or a rejection naming `what` when it has not settled within `ms`. */
const within = <T>(promise: Promise<T>, what: string, ms = promptlyMs): Promise<T> => withinMs(promise, what, ms);

const tick = (ms = 5) => delay(ms);

type Outcome = { status: number; error?: undefined } | { status?: undefined; error: unknown };

/** A call of the source whose answer is held: made at once against the store, answered on `release()`. */
interface Hold {
  /** The source was called. */
  started: Promise<void>;
  /** The store answered (a refresh has written its tokens); the answer is still held. */
  answered: Promise<void>;
  release(): void;
}

const bearer = (token: string | undefined) => token?.replace(/^Bearer /, '');

/**
 * A {@link FakeSession} (subscribing or not) seen through a source that can hold the answer of its
 * next read or refresh, one or more instances installed on it, and a record of who was signed in
 * when each request started.
 */
function switching({ subscribe, instances, ...options }: { subscribe: boolean; instances: number } & AmplifyAuthOptions) {
  const fake = new FakeSession({ subscribe });
  fake.latencyMs = 1;
  const holds: Record<'read' | 'refresh', Array<{ started: Gate; answered: Gate; released: Gate }>> = { read: [], refresh: [] };

  const getTokens: TokenSource['getTokens'] = async (ask) => {
    const held = holds[ask.forceRefresh ? 'refresh' : 'read'].shift();
    held?.started.open();
    // Settled at once, so that a held rejection is never seen as unhandled.
    const answer = fake.source.getTokens(ask).then(
      (tokens) => ({ tokens }),
      (error: unknown) => ({ error }),
    );
    if (held) {
      await answer;
      held.answered.open();
      await held.released.promise;
    }
    const settled = await answer;
    if ('error' in settled) throw settled.error;
    return settled.tokens;
  };
  const subscribeToFake = fake.source.subscribe;
  const source: TokenSource = subscribeToFake ? { getTokens, subscribe: (onChange) => subscribeToFake(onChange) } : { getTokens };

  const servers = Array.from({ length: instances }, () => createApi());
  const logouts: Array<{ instance: number } & AmplifyAuthEvents['logout']> = [];
  const refreshErrors: unknown[] = [];
  const handles = servers.map((server, instance) => {
    const handle = installAmplifyAuth(server.api, { source, ...options });
    handle.on('logout', (payload) => logouts.push({ instance, ...payload }));
    handle.on('refreshError', ({ error }) => refreshErrors.push(error));
    return handle;
  });
  /** The user signed in (in the source) when each request, by URL, started. */
  const startedAs = new Map<string, string | undefined>();
  const signedIn = (): string | undefined => (fake.tokens ? userOfToken(fake.tokens.accessToken) : undefined);

  return {
    fake,
    source,
    servers,
    handles,
    logouts,
    refreshErrors,
    signedIn,
    /** Holds the answer of the next read or refresh of the source. */
    holdNext(kind: 'read' | 'refresh'): Hold {
      const held = { started: gate(), answered: gate(), released: gate() };
      holds[kind].push(held);
      return { started: held.started.promise, answered: held.answered.promise, release: held.released.open };
    },
    /** Sends `GET url` through instance `instance`, noting who is signed in now. */
    request(instance: number, url: string): Promise<Outcome> {
      expect(startedAs.has(url), `${url} is sent once`).toBe(false);
      startedAs.set(url, signedIn());
      return servers[instance % servers.length]!.api.get(url).then(
        (response) => ({ status: response.status }),
        (error: unknown) => ({ error }),
      );
    },
    /** Every attempt of `url`, on any instance, as the raw token it carried. */
    tokensOf(url: string): Array<string | undefined> {
      return servers.flatMap((server) => server.attemptsOf(url).map((attempt) => bearer(attempt.authorization)));
    },
    /** The invariant, over every attempt every instance made. */
    expectInvariant(): void {
      for (const server of servers) {
        for (const attempt of server.attempts) {
          const token = bearer(attempt.authorization);
          if (!token) continue;
          expect(startedAs.has(attempt.url), `${attempt.url} was sent by the test`).toBe(true);
          expect(userOfToken(token), `${attempt.url}: its token is of the user signed in when it started`).toBe(startedAs.get(attempt.url));
        }
      }
    },
    uninstall(): void {
      for (const handle of handles) handle.uninstall();
    },
  };
}

type Switching = ReturnType<typeof switching>;

function expectSessionChanged(outcome: Outcome, { after401 }: { after401: boolean }): void {
  expect(outcome.error, 'rejected').toBeDefined();
  expect(outcome.error).toMatchObject({ name: 'AmplifyAuthError', code: 'SESSION_CHANGED' });
  const cause = (outcome.error as { cause?: unknown }).cause;
  if (after401) {
    expect(isAxiosError(cause), 'the 401 is the cause').toBe(true);
    expect(isAxiosError(cause) && cause.response?.status).toBe(401);
  }
}

function expectStatus(outcome: Outcome, status: number, what: string): void {
  if (outcome.error !== undefined && !isAxiosError(outcome.error)) {
    const { name, code } = outcome.error as { name?: string; code?: string };
    expect.fail(`${what}: expected status ${status}, but it rejected with ${name ?? 'an error'} ${code ?? String(outcome.error)}`);
  }
  const got = outcome.status ?? (isAxiosError(outcome.error) ? outcome.error.response?.status : undefined);
  expect(got, what).toBe(status);
}

/**
 * Requests of B on every instance, one after the other: they go out at once, with B's token.
 * (Concurrent first requests of B have a test of their own.)
 */
async function expectBServedAtOnce(t: Switching, prefix: string): Promise<void> {
  const urls = t.servers.map((_, instance) => `${prefix}/${instance}`);
  for (const [instance, url] of urls.entries()) {
    expectStatus(await within(t.request(instance, url), `B's request ${url}`), 200, `${url} succeeds`);
  }
  for (const url of urls) {
    const tokens = t.tokensOf(url);
    expect(tokens, `${url} went out once`).toHaveLength(1);
    expect(userOfToken(tokens[0]!), `${url} carried B's token`).toBe(B);
  }
}

/** A request made while nobody is signed in: it goes out without a token (and the API says 401). */
async function expectSignedOutRequestBare(t: Switching, url: string): Promise<void> {
  const outcome = await within(t.request(0, url), `signed-out request ${url}`);
  expectStatus(outcome, 401, `${url} is answered as unauthenticated`);
  expect(t.tokensOf(url), `${url} went out once, without a token`).toEqual([undefined]);
}

/** Lets whatever was released settle: the source answers in 1 ms, the API in 1 ms. */
async function settleAll(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick(5);
}

const configs = [
  { subscribe: true, instances: 1 },
  { subscribe: true, instances: 2 },
  { subscribe: false, instances: 1 },
  { subscribe: false, instances: 2 },
];

let current: Switching | undefined;
afterEach(() => {
  current?.uninstall();
  current = undefined;
});

function setup(config: { subscribe: boolean; instances: number } & AmplifyAuthOptions): Switching {
  current = switching(config);
  return current;
}

/** A signs in; the token tokens are issued expiring within the default leeway (60 s) when asked. */
function signInA(t: Switching, { expiring = false } = {}): SessionTokens {
  if (!expiring) return t.fake.signIn(A);
  const now = t.fake.serverNow;
  // Issued 3570 s ago with a lifetime of one hour: 30 s left.
  t.fake.serverNow = () => now() - 3_570_000;
  const tokens = t.fake.signIn(A);
  t.fake.serverNow = now;
  return tokens;
}

describe.each(configs)('account switch (subscribe: $subscribe, instances: $instances)', ({ subscribe, instances }) => {
  for (const trigger of ['unauthorized', 'expiring'] as const) {
    for (const between of [true, false]) {
      const what = trigger === 'unauthorized' ? 'a 401-driven refresh' : 'a leeway (expiring) refresh';
      const how = between ? 'with a request while signed out' : 'sign-out and sign-in back to back';
      it(`leaves ${what} of A behind when A signs out and B signs in (${how})`, async () => {
        const t = setup({ subscribe, instances });
        const a1 = signInA(t, { expiring: trigger === 'expiring' });
        for (const server of t.servers) server.rejectCurrentTokens(t.fake.serial);
        const refresh = t.holdNext('refresh');
        const a = t.request(0, '/a');
        await within(refresh.answered, "A's refresh starts");
        expect(t.fake.refreshes).toBe(1);

        t.fake.signOut();
        if (between) await expectSignedOutRequestBare(t, '/signed-out');
        t.fake.signIn(B);
        // B is served while A's refresh is still held: nothing of B waits for it.
        await expectBServedAtOnce(t, '/b');

        const outcome = await within(a, "A's request");
        expectSessionChanged(outcome, { after401: trigger === 'unauthorized' });
        // A's request went out at most once, with A's own first token; never with A's refreshed one or B's.
        expect(t.tokensOf('/a')).toEqual(trigger === 'unauthorized' ? [a1.idToken] : []);

        refresh.release();
        await settleAll();
        // A's refresh, answered now, reaches nobody: B's next requests still carry B's token.
        await expectBServedAtOnce(t, '/b-after');
        expect(t.fake.refreshes, 'no other refresh').toBe(1);
        expect(t.tokensOf('/a'), 'A is not retried after its refresh answers').toHaveLength(trigger === 'unauthorized' ? 1 : 0);
        expect(t.logouts, 'no logout: nobody’s session ended').toEqual([]);
        expect(t.refreshErrors).toEqual([]);
        t.expectInvariant();
      });
    }
  }

  for (const between of [true, false]) {
    it(`rejects A's late 401 with SESSION_CHANGED, never retrying it as B (${between ? 'B requests first' : 'no request between'})`, async () => {
      const t = setup({ subscribe, instances });
      const a1 = signInA(t);
      const answer = gate();
      const arrived = gate();
      t.servers[0]!.once('/slow', async () => {
        arrived.open();
        await answer.promise;
        return [401, { message: 'rejected late' }];
      });
      const slow = t.request(0, '/slow');
      await within(arrived.promise, "A's request reaches the server");

      t.fake.signOut();
      t.fake.signIn(B);
      if (between) await expectBServedAtOnce(t, '/b');
      answer.open();

      const outcome = await within(slow, "A's slow request");
      expectSessionChanged(outcome, { after401: true });
      expect(t.tokensOf('/slow'), 'sent once, as A, never retried').toEqual([a1.idToken]);
      expect(t.fake.refreshes, 'no refresh for the session that was left').toBe(0);
      await expectBServedAtOnce(t, '/b-after');
      expect(t.logouts).toEqual([]);
      expect(t.refreshErrors).toEqual([]);
      t.expectInvariant();
    });
  }

  it('serves every one of B’s first concurrent requests after the switch', async () => {
    const t = setup({ subscribe, instances });
    signInA(t);
    expectStatus(await t.request(0, '/a'), 200, 'A is served');
    t.fake.signOut();
    t.fake.signIn(B);
    // A page of B's loads: several requests at once, on every instance.
    const urls = Array.from({ length: 4 }, (_, i) => `/b/${i}`);
    const outcomes = await within(Promise.all(urls.map((url, i) => t.request(i, url))), "B's requests");
    outcomes.forEach((outcome, i) => expectStatus(outcome, 200, `${urls[i]} (started after B signed in) is served`));
    for (const url of urls)
      expect(
        t.tokensOf(url).map((token) => userOfToken(token!)),
        `${url} carried B's token`,
      ).toEqual([B]);
    expect(t.logouts).toEqual([]);
    t.expectInvariant();
  });

  it('never gives A’s slow read to B, nor B’s fast read to A', async () => {
    const t = setup({ subscribe, instances });
    signInA(t);
    const read = t.holdNext('read');
    const a = t.request(0, '/a');
    // The store answered A's tokens; the answer is on its way.
    await within(read.answered, "A's read");

    t.fake.signOut();
    t.fake.signIn(B);
    await expectBServedAtOnce(t, '/b');
    read.release();
    const outcome = await within(a, "A's request");
    const sent = t.tokensOf('/a');
    if (outcome.error === undefined || isAxiosError(outcome.error)) {
      // Sent: then only with A's token (the invariant, checked below).
      expect(sent).toHaveLength(1);
    } else {
      expectSessionChanged(outcome, { after401: false });
      expect(sent, 'A’s request rejected unsent').toEqual([]);
    }
    // However A's read landed, B is still served with B's token.
    await expectBServedAtOnce(t, '/b-after');
    expect(t.logouts).toEqual([]);
    t.expectInvariant();
  });

  it('does not let A’s slow read, answered after B’s, reject a request of B in flight', async () => {
    const t = setup({ subscribe, instances });
    signInA(t);
    const readA = t.holdNext('read');
    const a = t.request(0, '/a');
    await within(readA.answered, "A's read");

    t.fake.signOut();
    t.fake.signIn(B);
    await expectBServedAtOnce(t, '/b');
    // B's next read is slow too: A's answer lands while it is under way.
    const readB = t.holdNext('read');
    const b = t.request(0, '/b-slow');
    await within(subscribe ? Promise.resolve() : readB.answered, "B's read");
    readA.release();
    await within(a, "A's request");
    readB.release();
    expectStatus(await within(b, "B's slow request"), 200, 'B’s request in flight is served as B');
    expect(t.tokensOf('/b-slow').map((token) => userOfToken(token!))).toEqual([B]);
    expect(t.logouts).toEqual([]);
    t.expectInvariant();
  });

  it('fires no logout for A’s session ending in SessionEndedError after B signed in and made a request', async () => {
    const t = setup({ subscribe, instances });
    signInA(t);
    for (const server of t.servers) server.rejectCurrentTokens(t.fake.serial);
    t.fake.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    const refresh = t.holdNext('refresh');
    const a = t.request(0, '/a');
    // The refresh token is dead (the store is cleared); Cognito's answer is on its way.
    await within(refresh.answered, "A's refresh");
    t.fake.refreshOutcome = { kind: 'tokens' };

    t.fake.signOut();
    t.fake.signIn(B);
    await expectBServedAtOnce(t, '/b');
    refresh.release();
    expectSessionChanged(await within(a, "A's request"), { after401: true });
    await settleAll();
    expect(t.logouts, 'no logout: B’s session did not end, A’s was left').toEqual([]);
    expect(t.refreshErrors).toEqual([]);
    await expectBServedAtOnce(t, '/b-after');
    t.expectInvariant();
  });

  it('does not make the signed-out request or B wait for A’s hung refresh to time out', async () => {
    const refreshTimeoutMs = 5000;
    const t = setup({ subscribe, instances, refreshTimeoutMs });
    signInA(t);
    for (const server of t.servers) server.rejectCurrentTokens(t.fake.serial);
    t.fake.refreshOutcome = { kind: 'hang' };
    const a = t.request(0, '/a');
    await within(
      (async () => {
        while (t.fake.refreshes === 0) await tick(1);
      })(),
      "A's refresh starts",
    );
    const start = Date.now();
    t.fake.signOut();
    await expectSignedOutRequestBare(t, '/signed-out');
    t.fake.signIn(B);
    t.fake.refreshOutcome = { kind: 'tokens' };
    await expectBServedAtOnce(t, '/b');
    expectSessionChanged(await within(a, "A's request"), { after401: true });
    const elapsed = Date.now() - start;
    expect(elapsed, `finished in ${elapsed} ms, not after the ${refreshTimeoutMs} ms timeout`).toBeLessThan(promptlyMs);
    expect(t.logouts).toEqual([]);
    expect(t.refreshErrors, 'no REFRESH_TIMEOUT reported for the session that was left').toEqual([]);
    t.expectInvariant();
  });
});

type HubCallback = (capsule: { payload: { event: string; data?: unknown } }) => void;

/**
 * Amplify v6's `fetchAuthSession` and `Hub`, small: `signedIn` carries `{ userId, username }`; a
 * forced refresh refreshes the user whose tokens were stored when it was asked and, as Amplify's
 * TokenOrchestrator does, writes the new tokens to the store when Cognito answers (over whoever
 * signed in meanwhile), dispatches `tokenRefresh`, and answers what the store holds.
 */
class SwitchingAmplify {
  private serial = 0;
  stored: SessionTokens | undefined;
  private readonly listeners = new Set<HubCallback>();
  /** When set, the next forced refresh waits for it before Cognito "answers". */
  holdRefresh: Gate | undefined;
  refreshStarted = gate();
  refreshCalls = 0;
  /** Every token ever written for A after the first sign-in: what a late refresh wrote. */
  readonly lateTokens = new Set<string>();

  readonly Hub = {
    listen: (_channel: 'auth', callback: HubCallback) => {
      this.listeners.add(callback);
      return () => {
        this.listeners.delete(callback);
      };
    },
  };

  readonly fetchAuthSession = async (options?: { forceRefresh?: boolean }) => {
    await Promise.resolve();
    const asked = this.stored;
    if (asked && options?.forceRefresh) {
      this.refreshCalls += 1;
      const held = this.holdRefresh;
      this.holdRefresh = undefined;
      this.refreshStarted.open();
      if (held) await held.promise;
      await tick(1);
      this.stored = issueTokens(++this.serial, 3600, Date.now(), userOfToken(asked.accessToken));
      this.lateTokens.add(this.stored.idToken);
      this.lateTokens.add(this.stored.accessToken);
      this.dispatch('tokenRefresh');
    }
    const stored = this.stored;
    return {
      tokens: stored ? { idToken: { toString: () => stored.idToken }, accessToken: { toString: () => stored.accessToken } } : undefined,
    };
  };

  signIn(user: string): SessionTokens {
    this.stored = issueTokens(++this.serial, 3600, Date.now(), user);
    this.dispatch('signedIn', { userId: user, username: `${user}@example.com` });
    return this.stored;
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
}

describe.each([1, 2])('Amplify v6 adapter: a late refresh of A over B’s sign-in (instances: %i)', (instances) => {
  function setupV6() {
    const amplify = new SwitchingAmplify();
    const source = fromFetchAuthSession(amplify.fetchAuthSession, amplify.Hub);
    const servers = Array.from({ length: instances }, () => createApi());
    const logouts: Array<{ instance: number } & AmplifyAuthEvents['logout']> = [];
    const refreshErrors: unknown[] = [];
    const handles = servers.map((server, instance) => {
      const handle = installAmplifyAuth(server.api, { source });
      handle.on('logout', (payload) => logouts.push({ instance, ...payload }));
      handle.on('refreshError', ({ error }) => refreshErrors.push(error));
      return handle;
    });
    const startedAs = new Map<string, string | undefined>();
    const signedIn = () => (amplify.stored ? userOfToken(amplify.stored.accessToken) : undefined);
    const request = (instance: number, url: string): Promise<Outcome> => {
      startedAs.set(url, signedIn());
      return servers[instance % servers.length]!.api.get(url).then(
        (response) => ({ status: response.status }),
        (error: unknown) => ({ error }),
      );
    };
    const tokensOf = (url: string) => servers.flatMap((server) => server.attemptsOf(url).map((attempt) => bearer(attempt.authorization)));
    const expectInvariant = () => {
      for (const server of servers) {
        for (const attempt of server.attempts) {
          const token = bearer(attempt.authorization);
          if (!token) continue;
          expect(amplify.lateTokens.has(token), `${attempt.url}: A's late tokens are never sent`).toBe(false);
          expect(userOfToken(token), `${attempt.url}: its token is of the user signed in when it started`).toBe(startedAs.get(attempt.url));
        }
      }
    };
    return { amplify, servers, handles, logouts, refreshErrors, request, tokensOf, expectInvariant };
  }

  let uninstall: (() => void) | undefined;
  afterEach(() => {
    uninstall?.();
    uninstall = undefined;
  });

  for (const bFirst of [true, false]) {
    it(`rejects SESSION_CHANGED and fires logout once with 'session-ended' (${bFirst ? 'B served before the write' : 'the write before B’s first request'})`, async () => {
      const t = setupV6();
      uninstall = () => t.handles.forEach((handle) => handle.uninstall());
      const a1 = t.amplify.signIn(A);
      for (const server of t.servers) server.rejectCurrentTokens(t.amplify.currentSerial);
      const held = gate();
      t.amplify.holdRefresh = held;
      const a = t.request(0, '/a');
      await within(t.amplify.refreshStarted.promise, "A's refresh starts");

      t.amplify.signOut();
      const bTokens = t.amplify.signIn(B);
      expectSessionChanged(await within(a, "A's request"), { after401: true });
      expect(t.tokensOf('/a')).toEqual([a1.idToken]);

      if (bFirst) {
        const outcomes = await within(Promise.all(t.servers.map((_, i) => t.request(i, `/b/${i}`))), "B's requests");
        outcomes.forEach((outcome) => expectStatus(outcome, 200, "B's request before the late write"));
        t.servers.forEach((_, i) => expect(t.tokensOf(`/b/${i}`)).toEqual([bTokens.idToken]));
      }

      // Cognito answers A's refresh: Amplify writes A's tokens over B's session.
      held.open();
      await settleAll();
      expect(userOfToken(t.amplify.stored!.accessToken), 'the store now holds A’s tokens').toBe(A);

      const after = await within(Promise.all(t.servers.map((_, i) => t.request(i, `/b-after/${i}`))), 'requests after the write');
      for (const outcome of after) expectSessionChanged(outcome, { after401: false });
      t.servers.forEach((_, i) => expect(t.tokensOf(`/b-after/${i}`), 'not sent with A’s tokens').toEqual([]));
      // Again: the lost session is said once, not per request.
      const again = await within(t.request(0, '/again'), 'a request after the logout');
      if (again.error === undefined || isAxiosError(again.error)) expect(t.tokensOf('/again')).toEqual([undefined]);
      else expectSessionChanged(again, { after401: false });

      expect(
        t.logouts.map(({ instance, reason }) => ({ instance, reason })),
        "logout once per instance, with 'session-ended'",
      ).toEqual(t.servers.map((_, instance) => ({ instance, reason: 'session-ended' })));
      expect(t.refreshErrors).toEqual([]);
      expect(t.amplify.refreshCalls).toBe(1);
      t.expectInvariant();
    });
  }
});
