// Regenerates docs/demo-web.png, the README's picture of the demo page: `npx tsx demo/web/screenshot.ts`.
import { launchChromium } from '../../test/support/chromium.js';
import { startDemoWeb } from './server.js';

const demo = await startDemoWeb();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1040, height: 760 } });
  await page.goto(demo.url);
  await page.waitForSelector('body[data-ready="true"]');
  // What the buttons do, one after the other: sign in, call, reject, call, revoke, call.
  await page.evaluate(async () => {
    const demo = (window as unknown as { demo: Record<string, (path?: string) => Promise<unknown>> }).demo;
    for (const step of ['signIn', 'call', 'rejectTokens', 'call', 'revoke', 'call']) await demo[step]!('/orders');
  });
  await page.waitForTimeout(300);
  await page.screenshot({ path: new URL('../../docs/demo-web.png', import.meta.url).pathname, fullPage: true });
} finally {
  await browser.close();
  await demo.stop();
}
