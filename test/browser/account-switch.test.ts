import { decodeJwt } from 'jose';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DemoWeb, startDemoWeb } from '../../demo/web/server.js';
import type { RefreshHold } from '../harness/cognito.js';
import type { ApiRequest } from '../harness/protected-api.js';
import { launchChromium, openDemoTab } from '../support/chromium.js';
import { within as withinMs } from '../support/within.js';

/**
 * An account switch across two tabs of one Chromium context (one localStorage, one Amplify session):
 * tab 2 has a refresh for user A in flight, held at the local Cognito, when tab 1 signs A out and
 * signs B in. Tab 2 must not wait for A's refresh nor send A's token once B is signed in; B's
 * rejected token is refreshed once, for B, in tab 1; no tab fires `logout: revoked` for B. Tokens
 * are recorded at the API and mapped to users by their `sub`.
 */

// Debian's Chromium (.ci/run installs it); playwright-core drives it, it downloads nothing.
/** How long "at once" may take in a browser: generous, so that a slow machine cannot flake a test. */
const promptlyMs = 5000;

type Demo = {
  signIn(username?: string): Promise<void>;
  call(path?: string): Promise<number | string>;
  signOut(): Promise<void>;
  events: string[];
};

let browser: Browser;
let demo: DemoWeb;
let context: BrowserContext;
const holds: RefreshHold[] = [];
const userBySub = new Map<string, string>();
let A: string;
let B: string;

beforeAll(async () => {
  [browser, demo] = await Promise.all([launchChromium(), startDemoWeb()]);
  const { cognito } = demo.world;
  A = cognito.username;
  B = cognito.secondUser.username;
  for (const username of [A, B]) {
    const user = await cognito.call<{ UserAttributes: Array<{ Name: string; Value: string }> }>('AdminGetUser', {
      UserPoolId: cognito.userPoolId,
      Username: username,
    });
    const sub = user.UserAttributes.find((attribute) => attribute.Name === 'sub')?.Value;
    if (!sub) throw new Error(`no sub for ${username}`);
    userBySub.set(sub, username);
  }
}, 60_000);

afterAll(async () => {
  for (const hold of holds.splice(0)) hold.release();
  await browser?.close();
  await demo?.stop();
});

beforeEach(async () => {
  context = await browser.newContext();
});

afterEach(async () => {
  for (const hold of holds.splice(0)) hold.release();
  await context.close();
});

const openTab = (): Promise<Page> => openDemoTab(context, demo.url);

const run = <T>(page: Page, action: (demo: Demo) => Promise<T>): Promise<T> =>
  page.evaluate(`(${action.toString()})(window.demo)`) as Promise<T>;
const runWith = <T, A>(page: Page, action: (demo: Demo, arg: A) => Promise<T>, arg: A): Promise<T> =>
  page.evaluate(`(${action.toString()})(window.demo, ${JSON.stringify(arg)})`) as Promise<T>;
const events = (page: Page) => page.evaluate(() => [...(window as unknown as { demo: Demo }).demo.events]);

/** `promise`, or a rejection naming `what` when it has not settled within `ms`. */
const within = <T>(promise: Promise<T>, what: string, ms = promptlyMs): Promise<T> => withinMs(promise, what, ms);

const userOf = (token: string | undefined): string => {
  if (!token) return 'none';
  const sub = String(decodeJwt(token).sub);
  return userBySub.get(sub) ?? `unknown:${sub}`;
};
const seen = (records: readonly ApiRequest[]) => records.map((r) => `${r.path} ${userOf(r.token)} ${r.status}`);
const requests = () => demo.world.api.requests;

describe('an account switch in one tab while another tab refreshes for the old user', () => {
  it('tab 2 neither waits for A’s held refresh nor sends A’s token after B signed in; B’s 401 in tab 1 is one refresh for B; no logout:revoked', async () => {
    const { world } = demo;
    const [tab1, tab2] = [await openTab(), await openTab()];
    await runWith(tab1, (d, user) => d.signIn(user), A);
    expect(await run(tab2, (d) => d.call('/t2/a-warm'))).toBe(200); // the session is shared through localStorage

    // Tab 2's token for A is rejected; its refresh for A reaches Cognito, whose answer is held.
    await world.rejectCurrentTokens();
    const hold = world.cognito.holdNextRefresh();
    holds.push(hold);
    const refreshesBefore = world.cognito.refreshCalls;
    const tab2Waiting = run(tab2, (d) => d.call('/t2/a-waiting'));
    await within(hold.arrived, 'tab 2’s refresh for A reaching Cognito');
    await within(hold.answered, 'Cognito answering it (the answer is held)');

    // Tab 1 switches users.
    const switchAt = requests().length;
    await run(tab1, (d) => d.signOut());
    await runWith(tab1, (d, user) => d.signIn(user), B);
    const bSignedInAt = requests().length;
    // Tab 2's request of A's session is left behind: not sent, whatever A's refresh does later.
    expect(await within(tab2Waiting, 'tab 2’s waiting request of A after the switch')).toBe('AmplifyAuthError (SESSION_CHANGED)');

    // Right after the switch tab 2 may not have seen B's session yet: a request goes with B's token or none.
    const early = await within(
      run(tab2, (d) => d.call('/t2/after-switch-early')),
      'tab 2’s first request after the switch',
    );
    expect([200, '401']).toContain(early);
    // Once tab 2 shows B, its requests are B's, served while A's refresh is still held.
    await tab2.waitForFunction((user) => document.getElementById('user')?.textContent === user, B, { timeout: promptlyMs });
    const started = Date.now();
    const tab2Results = await within(
      Promise.all([1, 2, 3].map((i) => runWith(tab2, (d, path) => d.call(path), `/t2/b-${i}`))),
      'tab 2’s requests after the switch (A’s refresh is held)',
    );
    expect(tab2Results).toEqual([200, 200, 200]);
    expect(Date.now() - started).toBeLessThan(promptlyMs);
    expect(hold.released).toBe(false);

    // B's token is rejected in tab 1: tab 1 refreshes B once and retries with B's new token.
    await world.rejectCurrentTokens();
    const beforeB = { calls: world.cognito.refreshCalls, answers: world.cognito.refreshAnswers.length };
    expect(
      await within(
        run(tab1, (d) => d.call('/t1/b-rejected')),
        'tab 1’s request of B after the rejection',
      ),
    ).toBe(200);
    expect(world.cognito.refreshCalls - beforeB.calls).toBe(1);
    expect(world.cognito.refreshAnswers.slice(beforeB.answers).map((a) => [a.status, userBySub.get(a.sub ?? '')])).toEqual([[200, B]]);
    const tab1Attempts = requests().filter((r) => r.path === '/t1/b-rejected');
    expect(tab1Attempts.map((r) => [userOf(r.token), r.status])).toEqual([
      [B, 401],
      [B, 200],
    ]);
    expect(tab1Attempts[0]!.token).not.toBe(tab1Attempts[1]!.token);
    expect(hold.released).toBe(false);

    // Every request since B signed in carried B's token or none; none of A's.
    const sinceB = requests().slice(bSignedInAt);
    expect(
      sinceB.filter((r) => userOf(r.token) === A),
      seen(sinceB).join('\n'),
    ).toEqual([]);
    expect(
      seen(requests().slice(switchAt))
        .filter((line) => !line.startsWith('/t2/after-switch-early'))
        .sort(),
    ).toEqual([`/t2/b-1 ${B} 200`, `/t2/b-2 ${B} 200`, `/t2/b-3 ${B} 200`, `/t1/b-rejected ${B} 401`, `/t1/b-rejected ${B} 200`].sort());
    expect(world.cognito.refreshCalls - refreshesBefore).toBe(2); // A's held one, B's one
    for (const tab of [tab1, tab2]) expect((await events(tab)).filter((e) => e.startsWith('logout'))).toEqual([]);
    expect(await events(tab1)).toEqual(['refresh:unauthorized']);
  }, 90_000);

  it('when A’s held refresh answers after the switch and Amplify writes A’s tokens over B’s session, no tab sends A’s token as B’s without a logout', async () => {
    const { world } = demo;
    const [tab1, tab2] = [await openTab(), await openTab()];
    await runWith(tab1, (d, user) => d.signIn(user), A);
    expect(await run(tab2, (d) => d.call('/t2/a-warm'))).toBe(200);
    await world.rejectCurrentTokens();
    const hold = world.cognito.holdNextRefresh();
    holds.push(hold);
    const tab2Waiting = run(tab2, (d) => d.call('/t2/a-waiting'));
    await within(hold.answered, 'tab 2’s refresh for A answered by Cognito (held)');
    await run(tab1, (d) => d.signOut());
    await runWith(tab1, (d, user) => d.signIn(user), B);
    expect(await within(tab2Waiting, 'tab 2’s waiting request of A')).toBe('AmplifyAuthError (SESSION_CHANGED)');
    await tab2.waitForFunction((user) => document.getElementById('user')?.textContent === user, B, { timeout: promptlyMs });
    expect(await run(tab1, (d) => d.call('/t1/b-before-release'))).toBe(200);
    expect(await run(tab2, (d) => d.call('/t2/b-before-release'))).toBe(200);

    // A's answer lands in tab 2: Amplify 6.22.1 stores A's tokens (LastAuthUser = A) over B's
    // session in the shared localStorage, and its TokenStore tells the other tabs `signedIn` (A).
    const releasedAt = requests().length;
    hold.release();
    await within(hold.delivered, 'A’s late answer');
    await tab1.waitForFunction((user) => document.getElementById('user')?.textContent === user, A, { timeout: promptlyMs });
    const outcomes = {
      tab2: [await run(tab2, (d) => d.call('/t2/after-release')), await run(tab2, (d) => d.call('/t2/after-release-2'))],
      tab1: [await run(tab1, (d) => d.call('/t1/after-release')), await run(tab1, (d) => d.call('/t1/after-release-2'))],
    };
    const after = requests().slice(releasedAt);
    const report = JSON.stringify({ outcomes, tab1: await events(tab1), tab2: await events(tab2), seen: seen(after) }, null, 1);

    // The tab whose own refresh wrote A's tokens refuses them and says the session ended, once.
    expect(outcomes.tab2, report).toEqual(['AmplifyAuthError (SESSION_CHANGED)', 'AmplifyAuthError (SESSION_CHANGED)']);
    expect(
      (await events(tab2)).filter((e) => e.startsWith('logout')),
      report,
    ).toEqual(['logout:session-ended']);
    for (const tab of [tab1, tab2]) expect(await events(tab), report).not.toContain('logout:revoked');
    // The tab where B signed in must not go on as A without a word: B's session ended there too
    // (logout once, session-ended), and A's late tokens do not go out in B's place.
    expect(
      (await events(tab1)).filter((e) => e.startsWith('logout')),
      report,
    ).toEqual(['logout:session-ended']);
    expect(
      after.filter((r) => userOf(r.token) === A).map((r) => r.path),
      report,
    ).toEqual([]);
  }, 90_000);
});
