import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAmplifyAuth } from '../src/core.js';
import { issueTokens } from './support/jwt.js';

// Two real servers on loopback: the allowed API, which redirects, and another origin.
let allowed: Server;
let other: Server;
let allowedUrl: string;
let otherUrl: string;
const seenByOther: IncomingHttpHeaders[] = [];
const seenByAllowed: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
const tokens = issueTokens(1);
const source = { getTokens: async () => tokens };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  other = createServer((request, response) => {
    seenByOther.push(request.headers);
    response.end('{}');
  });
  otherUrl = await listen(other);
  allowed = createServer((request, response) => {
    seenByAllowed.push({ path: request.url ?? '', headers: request.headers });
    if (request.url === '/away') response.writeHead(302, { location: `${otherUrl}/landing` }).end();
    else if (request.url === '/v1/out') response.writeHead(302, { location: '/admin' }).end();
    else if (request.url === '/v1/in') response.writeHead(302, { location: '/v1/next' }).end();
    else response.end('{}');
  });
  allowedUrl = await listen(allowed);
});

afterAll(async () => {
  await Promise.all([allowed, other].map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('redirects (Node)', () => {
  it.each(['Authorization', 'X-Api-Token'])('does not let the %s header follow a redirect to another origin', async (header) => {
    seenByOther.length = 0;
    const api = axios.create({ baseURL: allowedUrl });
    installAmplifyAuth(api, { source, header });
    await api.get('/away');
    expect(seenByOther).toHaveLength(1);
    expect(seenByOther[0]?.[header.toLowerCase()]).toBeUndefined();
  });

  it('does not let it follow a same-origin redirect out of the allowed path', async () => {
    seenByAllowed.length = 0;
    const api = axios.create({ baseURL: allowedUrl });
    installAmplifyAuth(api, { source, allow: [`${allowedUrl}/v1/`] });
    await api.get('/v1/out');
    expect(seenByAllowed.map((r) => [r.path, r.headers.authorization !== undefined])).toEqual([
      ['/v1/out', true],
      ['/admin', false],
    ]);
  });

  it('keeps it on a redirect that stays allowed, and still calls the caller’s own beforeRedirect', async () => {
    seenByAllowed.length = 0;
    const api = axios.create({ baseURL: allowedUrl });
    installAmplifyAuth(api, { source, allow: [`${allowedUrl}/v1/`] });
    const hops: string[] = [];
    await api.get('/v1/in', { beforeRedirect: (options) => hops.push(String(options.href)) });
    expect(hops).toEqual([`${allowedUrl}/v1/next`]);
    expect(seenByAllowed.map((r) => r.headers.authorization)).toEqual([`Bearer ${tokens.idToken}`, `Bearer ${tokens.idToken}`]);
  });
});
