import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAmplifyAuth } from '../src/core.js';
import { issueTokens } from './support/jwt.js';

// Run by the default suite with the newest axios and by vitest.peers.config.ts with the oldest one
// package.json accepts: the plugin judges `baseURL + url`, so axios must send exactly that.
const received: Array<{ server: 'allowed' | 'other'; path: string; authorization: string | undefined }> = [];
const servers: Server[] = [];
let allowedUrl = '';
let otherUrl = '';

async function listen(name: 'allowed' | 'other'): Promise<string> {
  const server = createServer((request, response) => {
    received.push({ server: name, path: request.url ?? '', authorization: request.headers.authorization });
    response.setHeader('content-type', 'application/json').end('{}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  [allowedUrl, otherUrl] = await Promise.all([listen('allowed'), listen('other')]);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe(`axios ${axios.VERSION}`, () => {
  it.each(['http', 'fetch'] as const)(
    'with allowAbsoluteUrls: false sends an absolute url to baseURL + url, the URL the token was judged for (%s adapter)',
    async (adapter) => {
      const tokens = issueTokens(1);
      const api = axios.create({ baseURL: allowedUrl, allowAbsoluteUrls: false, adapter });
      installAmplifyAuth(api, { source: { getTokens: async () => tokens }, allow: [allowedUrl] });
      received.length = 0;
      await api.get(`${otherUrl}/x`);
      expect(received).toEqual([{ server: 'allowed', path: `/${otherUrl}/x`, authorization: `Bearer ${tokens.idToken}` }]);
    },
  );
});
