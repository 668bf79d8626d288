import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DemoWeb, startDemoWeb } from '../../demo/web/server.js';
import { launchChromium, openDemoTab } from '../support/chromium.js';

// Debian's Chromium (.ci/run installs it); playwright-core drives it, it downloads nothing.

type Demo = {
  signIn(): Promise<void>;
  call(path?: string): Promise<number | string>;
  rejectTokens(): Promise<void>;
  revoke(): Promise<void>;
  signOut(): Promise<void>;
  events: string[];
  entries: string[];
};

let browser: Browser;
let demo: DemoWeb;
let context: BrowserContext;

beforeAll(async () => {
  [browser, demo] = await Promise.all([launchChromium(), startDemoWeb()]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

beforeEach(async () => {
  context = await browser.newContext();
});

afterEach(async () => {
  await context.close();
});

const openTab = (): Promise<Page> => openDemoTab(context, demo.url);

const run = <T>(page: Page, action: (demo: Demo) => Promise<T>): Promise<T> =>
  page.evaluate(`(${action.toString()})(window.demo)`) as Promise<T>;
const events = (page: Page) => page.evaluate(() => (window as unknown as { demo: Demo }).demo.events);
const refreshCalls = () => demo.world.cognito.refreshCalls;

describe('the demo page in Chromium', () => {
  it('signs in, calls the API, survives a 401 with one refresh, logs out when the refresh token is revoked', async () => {
    const page = await openTab();
    await page.click('#sign-in');
    await page.waitForFunction(() => document.getElementById('user')?.textContent !== 'signed out');
    expect(await run(page, (d) => d.call('/hello'))).toBe(200);

    const before = refreshCalls();
    await run(page, (d) => d.rejectTokens());
    expect(await run(page, (d) => d.call('/after-reject'))).toBe(200);
    expect(refreshCalls() - before).toBe(1);
    expect(await events(page)).toContain('refresh:unauthorized');

    await run(page, (d) => d.revoke());
    expect(await run(page, (d) => d.call('/after-revoke'))).toBe('SessionEndedError (SESSION_ENDED)');
    expect((await events(page)).filter((e) => e.startsWith('logout'))).toEqual(['logout:revoked']);
    expect(await page.locator('#log').textContent()).toContain("event logout { reason: 'revoked' }");
  }, 60_000);

  it('shares one refresh between two tabs whose token is rejected at the same moment', async () => {
    const [a, b] = [await openTab(), await openTab()];
    await run(a, (d) => d.signIn());
    expect(await run(b, (d) => d.call('/b-warm'))).toBe(200); // the session is shared through localStorage
    await run(a, (d) => d.rejectTokens());
    const before = refreshCalls();
    const results = await Promise.all([run(a, (d) => d.call('/a')), run(b, (d) => d.call('/b'))]);
    expect(results).toEqual([200, 200]);
    expect(refreshCalls() - before).toBe(1);
  }, 60_000);

  it('fires logout in both tabs with one refresh attempt in total when the refresh token is revoked', async () => {
    const [a, b] = [await openTab(), await openTab()];
    await run(a, (d) => d.signIn());
    expect(await run(b, (d) => d.call('/b-warm'))).toBe(200);
    await run(a, (d) => d.revoke());
    const before = refreshCalls();
    const results = await Promise.all([run(a, (d) => d.call('/a')), run(b, (d) => d.call('/b'))]);
    // The tab that refreshed meets the end; the other may first hear Amplify's cleared storage as a
    // sign-out, and then its request, of a session left behind, is not sent (SESSION_CHANGED).
    expect(results).toContain('SessionEndedError (SESSION_ENDED)');
    for (const result of results) expect(['SessionEndedError (SESSION_ENDED)', 'AmplifyAuthError (SESSION_CHANGED)']).toContain(result);
    for (const page of [a, b]) {
      await page.waitForFunction(() => (window as unknown as { demo: Demo }).demo.events.some((e) => e.startsWith('logout')));
      expect((await events(page)).filter((e) => e.startsWith('logout'))).toEqual(['logout:revoked']);
    }
    expect(refreshCalls() - before).toBe(1);
  }, 60_000);

  it('sends no token from the other tab after a sign-out in one', async () => {
    const [a, b] = [await openTab(), await openTab()];
    await run(a, (d) => d.signIn());
    expect(await run(b, (d) => d.call('/b-before'))).toBe(200);
    await run(a, (d) => d.signOut());
    await run(b, (d) => d.call('/b-after'));
    const last = demo.world.api.requests.filter((r) => r.path === '/b-after');
    expect(last).toEqual([{ path: '/b-after', token: undefined, status: 401 }]);
    expect(await events(b)).toEqual([]);
  }, 60_000);
});
