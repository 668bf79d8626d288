import { existsSync } from 'node:fs';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (playwright-core downloads no browser); `.ci/run` installs it. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Headless, sandboxless (root in CI), and nothing that would reach past 127.0.0.1.
const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launches the browser tests' Chromium, or says how to get it. */
export function launchChromium(options: { timeout?: number } = {}) {
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium (.ci/run does)`);
  return chromium.launch({ executablePath: chromiumPath, args, headless: true, ...options });
}

/** A tab of `context` on the demo page, ready to drive; an error in the page fails the test. */
export async function openDemoTab(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return page;
}
