import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { LocalCognitoOptions } from './cognito.js';
import { bundleForBrowser } from '../support/browser-bundle.js';
import { type LocalWorld, startLocalWorld } from './world.js';

const here = fileURLToPath(new URL('./tabs-page/', import.meta.url));

export interface TabsPage {
  /** The page with the plugin; `${url}?plugin=0` is the same page with Amplify alone. */
  url: string;
  world: LocalWorld;
  stop(): Promise<void>;
}

/**
 * Serves a page that bundles real Amplify v6 and the plugin from src/ (test/harness/tabs-page/app.ts),
 * with a local world behind it, on 127.0.0.1: what the Chromium tests open in several tabs of one
 * context (one localStorage, one set of Web Locks). Its requests can be started at one moment in
 * every tab (`tabs.callAt`).
 */
export async function startTabsPage(options: LocalCognitoOptions = {}): Promise<TabsPage> {
  const app = await bundleForBrowser(`${here}app.ts`);
  const page = await readFile(`${here}index.html`, 'utf8');
  const world = await startLocalWorld(options);
  const { cognito } = world;
  const config = JSON.stringify({
    amplify: world.amplifyConfig,
    apiUrl: world.api.url,
    users: [{ username: cognito.username, password: cognito.password }, cognito.secondUser],
  });
  const server = createServer((request, response) => {
    const send = (status: number, type: string, body: string) => response.writeHead(status, { 'content-type': type }).end(body);
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/') return send(200, 'text/html; charset=utf-8', page);
    if (path === '/app.js') return send(200, 'text/javascript; charset=utf-8', app);
    if (path === '/config.json') return send(200, 'application/json', config);
    return send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    world,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await world.stop();
    },
  };
}
