import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

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
