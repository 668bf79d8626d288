import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type LocalCognitoOptions, type RefreshHold } from '../../test/harness/cognito.js';
import { type LocalWorld, startLocalWorld } from '../../test/harness/world.js';
import { bundleForBrowser } from '../../test/support/browser-bundle.js';

const here = fileURLToPath(new URL('.', import.meta.url));

export interface DemoWeb {
  url: string;
  world: LocalWorld;
  stop(): Promise<void>;
}

/**
 * Serves the demo page on 127.0.0.1 with the local world behind it: the page (bundled by esbuild
 * from demo/web/app.ts, with the built package), its config, and a few control endpoints that
 * play the parts of an admin and of the API's operator.
 */
export async function startDemoWeb(options: LocalCognitoOptions = {}): Promise<DemoWeb> {
  const app = await bundleForBrowser(`${here}app.ts`, { minify: true });
  const page = await readFile(`${here}index.html`, 'utf8');
  const world = await startLocalWorld(options);
  const { cognito, api } = world;
  const config = JSON.stringify({
    amplify: world.amplifyConfig,
    apiUrl: api.url,
    username: cognito.username,
    password: cognito.password,
    users: [{ username: cognito.username, password: cognito.password }, cognito.secondUser],
  });
  // Refresh answers held by POST /control/hold-refresh, until POST /control/release-refresh.
  const held: RefreshHold[] = [];

  const server = createServer(async (request, response) => {
    const send = (status: number, type: string, body: string) => response.writeHead(status, { 'content-type': type }).end(body);
    try {
      switch (`${request.method} ${request.url}`) {
        case 'GET /':
          return send(200, 'text/html; charset=utf-8', page);
        case 'GET /app.js':
          return send(200, 'text/javascript; charset=utf-8', app);
        case 'GET /config.json':
          return send(200, 'application/json', config);
        case 'GET /control/stats':
          return send(200, 'application/json', JSON.stringify({ refreshCalls: cognito.refreshCalls, requests: api.requests }));
        case 'POST /control/reject':
          await world.rejectCurrentTokens();
          return send(204, 'text/plain', '');
        case 'POST /control/revoke':
          await cognito.revokeRefreshToken();
          await world.rejectCurrentTokens();
          return send(204, 'text/plain', '');
        case 'POST /control/hold-refresh':
          held.push(cognito.holdNextRefresh());
          return send(204, 'text/plain', '');
        case 'POST /control/release-refresh':
          for (const hold of held.splice(0)) hold.release();
          return send(204, 'text/plain', '');
        default:
          return send(404, 'text/plain', 'not found');
      }
    } catch (error) {
      return send(500, 'text/plain', String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    world,
    async stop() {
      for (const hold of held.splice(0)) hold.release();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await world.stop();
    },
  };
}
