// examples/nextjs, built with `next build` and run with `next start` against the package as
// `npm pack` publishes it (installed by .ci/nextjs.sh), in Chromium and over plain HTTP with
// 50 users' cookie jars. Run with `npx vitest run --config vitest.nextjs.config.ts`.
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claims } from './cognito.js';
import { CookieJar, jsCookieName } from './jar.js';
import { buildApp, type NextWorld, startNextWorld } from './world.js';
import { launchChromium } from '../support/chromium.js';

type Outcome =
  | { ok: true; calls: Array<{ path: string; status: number; user?: string }>; refreshes: number }
  | { ok: false; error: string; reason?: string };

const browserUser = 'alice';
const users = Array.from({ length: 50 }, (_, index) => `u${String(index).padStart(2, '0')}`);
const slowUser = 'u00';
const slowRefreshMs = 3_000;

let world: NextWorld;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const sub = (token: string | undefined) => (token ? String(claims(token).sub ?? '') : '');
const recordsOf = (tag: string, since = 0) => world.api.requests.slice(since).filter((record) => record.path.endsWith(`?tag=${tag}`));
const tokenCookie = (username: string, key: string) => `CognitoIdentityServiceProvider.${world.cognito.clientId}.${username}.${key}`;

async function browserCookie(name: string): Promise<string | undefined> {
  const found = (await context.cookies()).find((cookie) => cookie.name === jsCookieName(name));
  return found ? decodeURIComponent(found.value) : undefined;
}

async function signInInBrowser(username: string): Promise<void> {
  await page.goto(`${world.app.origin}/sign-in`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', world.cognito.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${world.app.origin}/`, { timeout: 15_000 });
  await page.waitForSelector('#call-route-handler');
}

/** Clicks one of the page's buttons and reads the answer it shows. */
async function press(which: 'route-handler' | 'server-action'): Promise<Outcome> {
  const before = Number(await page.getAttribute(`#${which}`, 'data-count'));
  await page.click(`#call-${which}`);
  await page.waitForSelector(`#${which}[data-count="${before + 1}"]`, { timeout: 15_000 });
  return JSON.parse((await page.textContent(`#${which}`)) ?? '') as Outcome;
}

async function renderServerComponent(): Promise<Outcome> {
  await page.goto(`${world.app.origin}/server-component`);
  return JSON.parse((await page.textContent('#server-component', { timeout: 15_000 })) ?? '') as Outcome;
}

let launching: Promise<Browser> | undefined;
let starting: Promise<NextWorld> | undefined;

beforeAll(async () => {
  launching = launchChromium({ timeout: 30_000 });
  launching.catch(() => undefined);
  await buildApp();
  starting = startNextWorld();
  starting.catch(() => undefined);
  [browser, world] = await Promise.all([launching, starting]);
  await world.cognito.createUser(browserUser);
  for (const username of users) await world.cognito.createUser(username);
  context = await browser.newContext();
  page = await context.newPage();
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([launching?.then((opened) => opened.close()), starting?.then((started) => started.stop())]);
}, 60_000);

describe('examples/nextjs: one user in Chromium', () => {
  it('signs in in the browser: Amplify keeps its tokens in cookies the server can read', async () => {
    await signInInBrowser(browserUser);
    const idToken = await browserCookie(tokenCookie(browserUser, 'idToken'));
    expect(sub(idToken)).toBe(world.cognito.subs.get(browserUser));
    expect(await browserCookie(`CognitoIdentityServiceProvider.${world.cognito.clientId}.LastAuthUser`)).toBe(browserUser);
  });

  it('each server path (Route Handler, Server Action, Server Component) answers with the API’s data for that user', async () => {
    const cookie = await browserCookie(tokenCookie(browserUser, 'idToken'));
    const outcomes = {
      'route-handler': await press('route-handler'),
      'server-action': await press('server-action'),
      'server-component': await renderServerComponent(),
    };
    for (const [tag, outcome] of Object.entries(outcomes)) {
      expect(outcome, tag).toEqual({
        ok: true,
        calls: [{ path: `/profile?tag=${tag}`, status: 200, user: `${browserUser}@example.com` }],
        refreshes: 0,
      });
      const records = recordsOf(tag);
      expect(
        records.map((record) => record.status),
        tag,
      ).toEqual([200]);
      expect(records[0]!.token, tag).toBe(cookie);
    }
    // The adapter verified the cookies against the pool's keys, fetched in-process from the local Cognito.
    expect(world.app.output()).toMatch(
      /\[offline-cognito\] https:\/\/cognito-idp\.us-east-1\.amazonaws\.com\/us-east-1_\w+\/\.well-known\/jwks\.json answered/,
    );
    expect(world.app.output()).not.toMatch(/\[offline-cognito\] refused/);
  });

  for (const which of ['route-handler', 'server-action'] as const) {
    it(`${which}: the API rejects the token → one refresh, one retry, and the browser's cookies carry the new tokens`, async () => {
      await page.goto(`${world.app.origin}/`);
      const before = await browserCookie(tokenCookie(browserUser, 'idToken'));
      await world.rejectCurrentTokens();
      const refreshes = world.cognito.refreshesOf(browserUser);
      const since = world.api.requests.length;

      const outcome = await press(which);
      expect(outcome).toMatchObject({ ok: true, refreshes: 1, calls: [{ status: 200, user: `${browserUser}@example.com` }] });
      expect(world.cognito.refreshesOf(browserUser)).toBe(refreshes + 1);
      const records = recordsOf(which, since);
      expect(records.map((record) => record.status)).toEqual([401, 200]);
      expect(records[0]!.token).toBe(before);
      const fresh = records[1]!.token;
      expect(fresh).not.toBe(before);
      expect(sub(fresh)).toBe(world.cognito.subs.get(browserUser));
      expect(await browserCookie(tokenCookie(browserUser, 'idToken'))).toBe(fresh);

      // The next request reads the new cookies: no refresh.
      const again = await press(which);
      expect(again).toMatchObject({ ok: true, refreshes: 0 });
      expect(world.cognito.refreshesOf(browserUser)).toBe(refreshes + 1);
      expect(recordsOf(which, since).at(-1)).toMatchObject({ status: 200, token: fresh });
    });
  }

  it('server-component: a refresh serves the render, but cookies are read-only there: the browser keeps the old tokens and every render refreshes again', async () => {
    const before = await browserCookie(tokenCookie(browserUser, 'idToken'));
    await world.rejectCurrentTokens();
    const refreshes = world.cognito.refreshesOf(browserUser);
    const since = world.api.requests.length;

    for (let render = 1; render <= 3; render += 1) {
      expect(await renderServerComponent()).toMatchObject({
        ok: true,
        refreshes: 1,
        calls: [{ status: 200, user: `${browserUser}@example.com` }],
      });
      expect(world.cognito.refreshesOf(browserUser)).toBe(refreshes + render);
      expect(await browserCookie(tokenCookie(browserUser, 'idToken'))).toBe(before);
    }
    const records = recordsOf('server-component', since);
    expect(records.map((record) => record.status)).toEqual([401, 200, 401, 200, 401, 200]);
    expect(records.filter((record) => record.status === 401).every((record) => record.token === before)).toBe(true);

    // A Route Handler (or a Server Action) writes the refreshed tokens; renders then need no refresh.
    await page.goto(`${world.app.origin}/`);
    expect(await press('route-handler')).toMatchObject({ ok: true, refreshes: 1 });
    expect(await renderServerComponent()).toMatchObject({ ok: true, refreshes: 0 });
    expect(world.cognito.refreshesOf(browserUser)).toBe(refreshes + 4);
  });

  for (const which of ['route-handler', 'server-action', 'server-component'] as const) {
    it(`${which}: the refresh token is revoked → SESSION_ENDED, and the browser is sent to sign in`, async () => {
      await page.goto(`${world.app.origin}/`);
      await world.cognito.revoke(browserUser);
      await world.rejectCurrentTokens();
      const since = world.api.requests.length;

      if (which === 'route-handler') {
        const answered = page.waitForResponse((response) => response.url().includes('/api/data'));
        await page.click('#call-route-handler');
        const response = await answered;
        expect(response.status()).toBe(401);
        expect(await response.json()).toEqual({ ok: false, error: 'SESSION_ENDED', reason: 'session-ended' });
      } else if (which === 'server-action') {
        await page.click('#call-server-action');
      } else {
        await page.goto(`${world.app.origin}/server-component`);
      }
      await page.waitForURL(`${world.app.origin}/sign-in?reason=session-ended`, { timeout: 15_000 });
      expect(await page.textContent('#reason')).toContain('session-ended');
      expect(recordsOf(which, since).map((record) => record.status)).toEqual([401]);

      const left = await browserCookie(tokenCookie(browserUser, 'refreshToken'));
      if (which === 'server-component') {
        // Read-only cookies: the dead tokens stay in the browser; the sign-in page replaces them.
        expect(left).toBeDefined();
      } else {
        // The adapter expired Amplify's cookies with the answer.
        expect(left).toBeUndefined();
        expect(await browserCookie(tokenCookie(browserUser, 'idToken'))).toBeUndefined();
      }
      await signInInBrowser(browserUser);
      expect(await press('route-handler')).toMatchObject({ ok: true, refreshes: 0 });
    });
  }
});

describe('examples/nextjs: 50 users at once, over HTTP with a cookie jar each', () => {
  it('every API request carries its own user’s token, each user refreshes once, and nobody waits on a slow user’s refresh', async () => {
    const { cognito, app } = world;
    const jars = new Map<string, CookieJar>();
    for (const username of users) jars.set(username, CookieJar.signedIn(cognito.clientId, username, await cognito.signIn(username)));
    const since = world.api.requests.length;
    const calls = 3;

    const get = async (username: string, path: string) => {
      const jar = jars.get(username)!;
      const started = performance.now();
      const response = await fetch(`${app.origin}${path}`, { headers: { cookie: jar.header() }, signal: AbortSignal.timeout(30_000) });
      const text = await response.text();
      const finished = performance.now();
      jar.take(response);
      return { username, status: response.status, text, started, finished, ms: finished - started, at: Date.now() };
    };
    const routeHandler = (username: string) => get(username, `/api/data?tag=${username}&calls=${calls}`);

    // Wave 1: valid tokens, Route Handler and Server Component side by side (100 requests at once).
    const first = await Promise.all(
      users.flatMap((username) => [routeHandler(username), get(username, `/server-component?tag=sc-${username}`)]),
    );
    for (const answer of first) {
      expect(answer.status, answer.username).toBe(200);
      expect(answer.text, answer.username).toContain(`${answer.username}@example.com`);
    }
    expect(users.every((username) => cognito.refreshesOf(username) === 0)).toBe(true);

    // Wave 2: every token rejected; one user's refresh takes 3 s.
    await world.rejectCurrentTokens();
    cognito.slowRefresh.set(slowUser, slowRefreshMs);
    const secondSince = world.api.requests.length;
    const second = await Promise.all(users.map(routeHandler));
    cognito.slowRefresh.clear();
    const refreshDone = new Map(cognito.refreshes.map((record) => [record.username, record.finished]));
    for (const answer of second) {
      expect(answer.status, answer.username).toBe(200);
      const outcome = JSON.parse(answer.text) as Outcome;
      expect(outcome, answer.username).toMatchObject({ ok: true, refreshes: 1 });
      if (outcome.ok) expect(outcome.calls.every((call) => call.user === `${answer.username}@example.com`)).toBe(true);
      // The refreshed tokens came back as cookies: that user's new ID token.
      expect(sub(jars.get(answer.username)!.get(tokenCookie(answer.username, 'idToken'))), answer.username).toBe(
        cognito.subs.get(answer.username),
      );
    }
    const slow = second.find((answer) => answer.username === slowUser)!;
    const others = second.filter((answer) => answer.username !== slowUser);
    expect(slow.ms).toBeGreaterThanOrEqual(slowRefreshMs);
    // Everyone else had their answer before the slow user's refresh even came back.
    for (const answer of others) expect(answer.at, answer.username).toBeLessThan(refreshDone.get(slowUser)!);

    // Wave 3: the cookies the server wrote are used: no refresh, no 401.
    const thirdSince = world.api.requests.length;
    const third = await Promise.all(users.map(routeHandler));
    for (const answer of third) expect(JSON.parse(answer.text), answer.username).toMatchObject({ ok: true, refreshes: 0 });
    expect(world.api.requests.slice(thirdSince).every((record) => record.status === 200)).toBe(true);

    // Every API request of the 50 users, matched to the user whose request it served by its tag.
    const records = world.api.requests.slice(since).filter((record) => /[?&]tag=(sc-)?u\d\d$/.test(record.path));
    let crossUser = 0;
    for (const record of records) {
      const username = /tag=(?:sc-)?(u\d\d)$/.exec(record.path)![1]!;
      if (sub(record.token) !== cognito.subs.get(username)) crossUser += 1;
    }
    expect(crossUser).toBe(0);
    const perUser = users.map((username) => cognito.refreshesOf(username));
    expect(perUser.every((count) => count === 1)).toBe(true);
    expect(world.api.requests.slice(secondSince, thirdSince).filter((record) => record.status === 401)).toHaveLength(users.length * calls);

    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const p = (values: number[], q: number) => sorted(values)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
    const ms = (value: number) => `${Math.round(value)} ms`;
    const lines = [
      `50 users, Next.js ${'16.4.6'} (next start), one server process`,
      `  HTTP requests to Next: ${first.length + second.length + third.length} (wave 1: ${first.length} Route Handler + Server Component, wave 2: ${second.length}, wave 3: ${third.length})`,
      `  API requests: ${records.length}, 401s: ${records.filter((record) => record.status === 401).length}, cross-user tokens: ${crossUser}`,
      `  refreshes per user: min ${Math.min(...perUser)}, max ${Math.max(...perUser)} (${perUser.reduce((a, b) => a + b, 0)} in all, ${calls} rejected calls each)`,
      `  wave 1 (valid tokens):    p50 ${ms(
        p(
          first.map((a) => a.ms),
          0.5,
        ),
      )}, max ${ms(Math.max(...first.map((a) => a.ms)))}`,
      `  wave 2 (rejected tokens): others p50 ${ms(
        p(
          others.map((a) => a.ms),
          0.5,
        ),
      )}, max ${ms(Math.max(...others.map((a) => a.ms)))}; ${slowUser} (refresh held ${slowRefreshMs} ms): ${ms(slow.ms)}`,
      `  wave 3 (new cookies):     p50 ${ms(
        p(
          third.map((a) => a.ms),
          0.5,
        ),
      )}, max ${ms(Math.max(...third.map((a) => a.ms)))}`,
    ];
    // Nothing tried to leave the machine.
    expect(world.app.output()).not.toMatch(/\[offline-cognito\] refused/);
    console.log(`\n${lines.join('\n')}\n`);
  }, 120_000);
});
