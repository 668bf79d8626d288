import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RefreshHold } from '../harness/cognito.js';
import { type TabsPage, startTabsPage } from '../harness/tabs-page.js';
import { launchChromium, openDemoTab } from '../support/chromium.js';
import { delay } from '../support/time.js';
import { within as withinMs } from '../support/within.js';

/**
 * Two tabs of one Chromium context (one localStorage, one set of Web Locks) with real Amplify v6 and
 * the plugin on the default source (test/harness/tabs-page/app.ts), against a local Cognito that
 * rotates refresh tokens with a grace period of 0: a refresh token spent twice ends the session in
 * every tab. 6 s tokens: Amplify takes them for expired 5 s before that, so 1 s after they were
 * issued every plain `fetchAuthSession()` refreshes inside Amplify; after 6 s they are expired for
 * the API too. A device "sleeps" by doing nothing until then: time passes for everyone.
 */
const tokenSeconds = 6;
/** Long enough for every token issued before it to have expired, for Amplify, the plugin and the API. */
const sleepMs = tokenSeconds * 1000 + 400;
const promptlyMs = 5000;

type Tab = {
  events: string[];
  signIn(username: string): Promise<void>;
  signOut(): Promise<void>;
  call(path: string): Promise<number | string>;
  callAt(paths: string[], at: number): Promise<Array<number | string>>;
  own(forceRefresh?: boolean, at?: number): Promise<string>;
};

let browser: Browser;
let page: TabsPage;
const contexts: BrowserContext[] = [];
const holds: RefreshHold[] = [];

beforeAll(async () => {
  [browser, page] = await Promise.all([launchChromium(), startTabsPage({ tokenSeconds, rotation: { gracePeriodSeconds: 0 } })]);
}, 60_000);

afterAll(async () => {
  for (const hold of holds.splice(0)) hold.release();
  await browser?.close();
  await page?.stop();
});

afterEach(async () => {
  for (const hold of holds.splice(0)) hold.release();
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

const world = () => page.world;
const ledger = () => world().cognito.rotation!;
const A = () => world().cognito.username;
const B = () => world().cognito.secondUser.username;

/** Two tabs of a new context (a browser profile of their own), with the plugin or with Amplify alone. */
async function twoTabs({ plugin = true } = {}): Promise<[Page, Page]> {
  const context = await browser.newContext();
  contexts.push(context);
  const url = plugin ? page.url : `${page.url}?plugin=0`;
  return [await openDemoTab(context, url), await openDemoTab(context, url)];
}

const run = <T>(tab: Page, action: (tab: Tab) => Promise<T> | T): Promise<T> =>
  tab.evaluate(`(${action.toString()})(window.tabs)`) as Promise<T>;
const runWith = <T, A>(tab: Page, action: (tab: Tab, arg: A) => Promise<T> | T, arg: A): Promise<T> =>
  tab.evaluate(`(${action.toString()})(window.tabs, ${JSON.stringify(arg)})`) as Promise<T>;
const eventsOf = (tab: Page) => run(tab, (t) => [...t.events]);
const logoutsOf = async (tab: Page) => (await eventsOf(tab)).filter((event) => event.startsWith('logout'));
const within = <T>(promise: Promise<T>, what: string, ms = promptlyMs): Promise<T> => withinMs(promise, what, ms);

/** The refresh token a tab's Amplify holds now. */
const refreshTokenOf = (tab: Page): Promise<string | undefined> =>
  tab.evaluate(() =>
    Object.keys(localStorage)
      .filter((key) => key.endsWith('.refreshToken'))
      .map((key) => localStorage.getItem(key) ?? undefined)
      .find(Boolean),
  );

/** The family (one per sign-in) of the refresh token a tab's Amplify holds now (the harness names its tokens `rotating.f<family>.…`). */
async function familyOf(tab: Page): Promise<number> {
  const token = await refreshTokenOf(tab);
  const family = /^rotating\.f(\d+)\./.exec(token ?? '')?.[1];
  if (!family) throw new Error(`no refresh token of the rotating Cognito in the tab: ${token}`);
  return Number(family);
}

/** What Cognito saw of `family` since `since` (ms): the outcome of each refresh. */
const spendsOf = (family: number, since: number) =>
  ledger()
    .spends.filter((spend) => spend.family === family && spend.at >= since)
    .map((spend) => spend.outcome);

describe('two tabs waking from sleep with their tokens long expired, against a Cognito that rotates (grace period 0)', () => {
  it('both tabs’ first requests start at once: exactly one refresh reaches Cognito, no token is spent twice, the session survives (6 rounds)', async () => {
    // Six rounds, each in a context of its own (its own session), run side by side, started 400 ms apart.
    const round = async (index: number) => {
      await delay(index * 400);
      const [tab1, tab2] = await twoTabs();
      await runWith(tab1, (t, user) => t.signIn(user), A());
      expect(await runWith(tab1, (t, path) => t.call(path), `/r${index}/t1/warm`)).toBe(200);
      expect(await runWith(tab2, (t, path) => t.call(path), `/r${index}/t2/warm`)).toBe(200);
      // Before the device sleeps the app refreshed the session itself (as Amplify's API category
      // does): Amplify's `tokenRefresh`, in this tab and across tabs, tells the plugin in both tabs
      // that its token in memory is old, so each reads the session again at its next request.
      expect(await run(tab1, (t) => t.own(true))).toBe('tokens');
      const family = await familyOf(tab1);
      await delay(sleepMs);
      const woke = Date.now();
      const at = woke + 150;
      const paths = (tab: string) => [1, 2, 3].map((i) => `/r${index}/${tab}/woken-${i}`);
      const [results1, results2] = await within(
        Promise.all([
          runWith(tab1, (t, arg) => t.callAt(arg.paths, arg.at), { paths: paths('t1'), at }),
          runWith(tab2, (t, arg) => t.callAt(arg.paths, arg.at), { paths: paths('t2'), at }),
        ]),
        `round ${index}: the woken tabs’ requests`,
        15_000,
      );
      const api = world().api.requests.filter((r) => r.path.startsWith(`/r${index}/`) && r.path.includes('woken'));
      return {
        round: index,
        spends: spendsOf(family, woke),
        results: [...results1, ...results2],
        unauthorized: api.filter((r) => r.status !== 200).map((r) => r.path),
        logouts: [...(await logoutsOf(tab1)), ...(await logoutsOf(tab2))],
      };
    };
    const rounds = await Promise.all([0, 1, 2, 3, 4, 5].map(round));
    const report = JSON.stringify(rounds, null, 1);
    expect(
      rounds.filter((r) => r.spends.join() !== 'rotated').map((r) => `round ${r.round}: ${r.spends.join(', ')}`),
      report,
    ).toEqual([]);
    for (const r of rounds) {
      expect(r.results, report).toEqual([200, 200, 200, 200, 200, 200]);
      expect(r.unauthorized, report).toEqual([]); // no expired token went out
      expect(r.logouts, report).toEqual([]);
    }
  }, 45_000);

  it('tab 1’s refresh of the expired token is held at Cognito when tab 2 wakes: with the plugin tab 2 waits and takes tab 1’s tokens; Amplify alone spends the token again', async () => {
    // Fresh tabs: neither keeps a token in memory, so each first request reads the session, and
    // Amplify refreshes the expired token inside that read. The same with Amplify alone (no plugin),
    // in a context of its own, sleeping at the same time.
    const [tab1, tab2] = await twoTabs();
    const [alone1, alone2] = await twoTabs({ plugin: false });
    await runWith(tab1, (t, user) => t.signIn(user), A());
    await runWith(alone1, (t, user) => t.signIn(user), A());
    const [family, familyAlone] = [await familyOf(tab1), await familyOf(alone1)];
    await delay(sleepMs);
    const woke = Date.now();

    const hold = world().cognito.holdNextRefresh();
    holds.push(hold);
    const first = run(tab1, (t) => t.call('/t1/woken'));
    await within(hold.arrived, 'tab 1’s refresh reaching Cognito');
    const second = run(tab2, (t) => t.call('/t2/woken'));
    // Whatever tab 2 does while tab 1's refresh is held, it has done it by now.
    await delay(300);
    hold.release();
    const outcomes = [await within(first, 'tab 1’s request'), await within(second, 'tab 2’s request')];
    const report = JSON.stringify({ spends: spendsOf(family, woke), tab1: await eventsOf(tab1), tab2: await eventsOf(tab2) });
    expect(outcomes, report).toEqual([200, 200]);
    expect(spendsOf(family, woke), report).toEqual(['rotated']);
    for (const tab of [tab1, tab2]) expect(await logoutsOf(tab), report).toEqual([]);

    // Amplify alone: the app's own fetchAuthSession() in each tab, the same moments.
    const holdAlone = world().cognito.holdNextRefresh();
    holds.push(holdAlone);
    const firstAlone = run(alone1, (t) => t.own());
    await within(holdAlone.arrived, 'tab 1’s refresh (Amplify alone) reaching Cognito');
    const secondAlone = run(alone2, (t) => t.own());
    await delay(300);
    holdAlone.release();
    const alone = [await within(firstAlone, 'tab 1’s fetchAuthSession()'), await within(secondAlone, 'tab 2’s fetchAuthSession()')];
    // Tab 2's Amplify sent the token tab 1 had just spent: refused, and the session is gone.
    expect(spendsOf(familyAlone, woke)).toEqual(['rotated', 'reused']);
    expect(alone[1]).toBe('RefreshTokenReuseException');
  }, 30_000);
});

describe('a rotated refresh token that is revoked or spent elsewhere: logout once, with the reason, in every tab', () => {
  it('spent elsewhere while both tabs slept: one refresh attempt, refused as reused; each tab fires logout once with refresh-token-reused', async () => {
    const [tab1, tab2] = await twoTabs();
    await runWith(tab1, (t, user) => t.signIn(user), A());
    expect(await run(tab1, (t) => t.call('/t1/warm'))).toBe(200);
    expect(await run(tab2, (t) => t.call('/t2/warm'))).toBe(200);
    const family = await familyOf(tab1);
    const stolen = await refreshTokenOf(tab1);
    // A copy of the refresh token is spent elsewhere (another device, a leak) while the tabs sleep.
    expect((await world().cognito.spendRefreshToken(stolen!)).status).toBe(200);
    await delay(sleepMs);
    const woke = Date.now();
    const at = woke + 150;
    const [results1, results2] = await within(
      Promise.all([
        runWith(tab1, (t, arg) => t.callAt(arg.paths, arg.at), { paths: ['/t1/woken-1', '/t1/woken-2'], at }),
        runWith(tab2, (t, arg) => t.callAt(arg.paths, arg.at), { paths: ['/t2/woken-1', '/t2/woken-2'], at }),
      ]),
      'the woken tabs’ requests',
    );
    for (const tab of [tab1, tab2])
      await tab.waitForFunction(() => window.tabs.events.some((e) => e.startsWith('logout')), undefined, { timeout: promptlyMs });
    await delay(300); // time for a second logout, if one were to come
    const report = JSON.stringify({
      results1,
      results2,
      spends: spendsOf(family, woke),
      tab1: await eventsOf(tab1),
      tab2: await eventsOf(tab2),
    });
    expect(spendsOf(family, woke), report).toEqual(['reused']); // the tabs tried once between them
    for (const result of [...results1, ...results2]) {
      expect(['SessionEndedError (SESSION_ENDED)', 'AmplifyAuthError (SESSION_CHANGED)'], report).toContain(result);
    }
    expect(await logoutsOf(tab1), report).toEqual(['logout:refresh-token-reused']);
    expect(await logoutsOf(tab2), report).toEqual(['logout:refresh-token-reused']);
  }, 30_000);

  it('revoked (signed out on another device): both tabs’ tokens rejected at once, one refresh attempt; each tab fires logout once with revoked', async () => {
    const [tab1, tab2] = await twoTabs();
    await runWith(tab1, (t, user) => t.signIn(user), A());
    // One refresh first, so that the token revoked is a rotated one, not the sign-in's.
    expect(await run(tab1, (t) => t.own(true))).toBe('tokens');
    expect(await run(tab1, (t) => t.call('/t1/warm'))).toBe(200);
    expect(await run(tab2, (t) => t.call('/t2/warm'))).toBe(200);
    const family = await familyOf(tab1);
    await world().cognito.revokeRefreshToken();
    await world().rejectCurrentTokens();
    const since = Date.now();
    const at = since + 150;
    const [results1, results2] = await within(
      Promise.all([
        runWith(tab1, (t, arg) => t.callAt(arg.paths, arg.at), { paths: ['/t1/rejected'], at }),
        runWith(tab2, (t, arg) => t.callAt(arg.paths, arg.at), { paths: ['/t2/rejected'], at }),
      ]),
      'the tabs’ rejected requests',
    );
    for (const tab of [tab1, tab2])
      await tab.waitForFunction(() => window.tabs.events.some((e) => e.startsWith('logout')), undefined, { timeout: promptlyMs });
    await delay(300);
    const report = JSON.stringify({
      results1,
      results2,
      spends: spendsOf(family, since),
      tab1: await eventsOf(tab1),
      tab2: await eventsOf(tab2),
    });
    expect(spendsOf(family, since), report).toEqual(['revoked']);
    expect(await logoutsOf(tab1), report).toEqual(['logout:revoked']);
    expect(await logoutsOf(tab2), report).toEqual(['logout:revoked']);
  }, 30_000);
});

describe('one logout per session in each tab', () => {
  /**
   * Tab 2's 401 refresh for A is held before Cognito judges it; tab 1 signs A out and B in; A's
   * refresh goes on, is refused as revoked, and Amplify in tab 2 clears the stored session — B's.
   * `tab2CallsAsB`: tab 2 has called the API as B before that (it keeps B's token in memory).
   */
  async function switchWhileRefreshHeld({ tab2CallsAsB }: { tab2CallsAsB: boolean }) {
    const [tab1, tab2] = await twoTabs();
    await runWith(tab1, (t, user) => t.signIn(user), A());
    expect(await run(tab1, (t) => t.call('/t1/a-warm'))).toBe(200);
    expect(await run(tab2, (t) => t.call('/t2/a-warm'))).toBe(200);

    await world().rejectCurrentTokens();
    const hold = world().cognito.holdNextRefresh({ forward: 'on-release' });
    holds.push(hold);
    const tab2Waiting = run(tab2, (t) => t.call('/t2/a-rejected'));
    await within(hold.arrived, 'tab 2’s refresh for A reaching the layer in front of Cognito');

    // Tab 1 signs A out (the app ends A's session) and B in. Against Cognito, Amplify's signOut()
    // revokes the refresh token (RevokeToken, for access tokens with `origin_jti`); cognito-local's
    // tokens have no `origin_jti`, so the test revokes it as Amplify would.
    await world().cognito.revokeRefreshToken(await refreshTokenOf(tab1));
    await run(tab1, (t) => t.signOut());
    await runWith(tab1, (t, user) => t.signIn(user), B());
    expect(await within(tab2Waiting, 'tab 2’s request of A’s session')).toBe('AmplifyAuthError (SESSION_CHANGED)');
    expect(await run(tab1, (t) => t.call('/t1/b-before'))).toBe(200);
    await tab2.waitForFunction(() => window.tabs.events.filter((e) => e === 'hub:signedIn').length >= 2, undefined, {
      timeout: promptlyMs,
    });
    if (tab2CallsAsB) expect(await run(tab2, (t) => t.call('/t2/b-before'))).toBe(200);
    // A's session was ended by the app's own sign-out: no logout anywhere.
    for (const tab of [tab1, tab2]) expect(await logoutsOf(tab)).toEqual([]);

    hold.release();
    await within(hold.delivered, 'A’s refused refresh');
    for (const tab of [tab1, tab2]) {
      await tab
        .waitForFunction(() => window.tabs.events.some((e) => e.startsWith('logout')), undefined, { timeout: promptlyMs })
        .catch(() => {});
    }
    // Requests in each tab now: nobody is signed in.
    const after = [await run(tab1, (t) => t.call('/t1/after')), await run(tab2, (t) => t.call('/t2/after'))];
    await delay(500); // time for a second logout, if one were to come
    const report = JSON.stringify({ after, tab1: await eventsOf(tab1), tab2: await eventsOf(tab2) }, null, 1);
    expect(await logoutsOf(tab1), report).toEqual(['logout:revoked']);
    expect(await logoutsOf(tab2), report).toEqual(['logout:revoked']);
  }

  it(
    'tab 2 keeps no token of B: each tab fires logout once, for B’s session, none for A’s',
    () => switchWhileRefreshHeld({ tab2CallsAsB: false }),
    30_000,
  );
  it(
    'tab 2 keeps B’s token: each tab fires logout once, for B’s session, none for A’s',
    () => switchWhileRefreshHeld({ tab2CallsAsB: true }),
    30_000,
  );
});
