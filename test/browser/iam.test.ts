/**
 * `axios-amplify-auth/iam` in Chromium: axios and the entry bundled for the browser (as an app's
 * bundler would, aws-amplify included), credentials from the app, requests through axios's xhr
 * and fetch adapters to an API on another origin that verifies every signature with aws4.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IamApi, type KnownCredentials, startIamApi } from '../harness/iam-api.js';
import { launchChromium } from '../support/chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entry = `
import axios from 'axios';
import { installAmplifyIam } from './src/iam.ts';
window.runIam = async ({ apiUrl, credentials, adapter }) => {
  let calls = 0;
  const api = axios.create({ baseURL: apiUrl, adapter });
  const events = [];
  const iam = installAmplifyIam(api, {
    region: 'eu-west-1',
    service: 'execute-api',
    credentials: async () => { calls += 1; return credentials; },
  });
  iam.on('refresh', ({ trigger }) => events.push(trigger));
  const form = new FormData();
  form.append('field', 'välue');
  form.append('file', new Blob(['file ✓'], { type: 'text/plain' }), 'f.txt');
  const results = await Promise.allSettled([
    api.get('/caf\\u00e9/a(b)', { params: { q: 'a b+c', r: ["!*'()", 'x'] } }),
    api.post('/json', { text: 'héllo 😀' }),
    api.post('/form', form),
    api.put('/binary', new Uint8Array([0, 1, 2, 255]).buffer, { headers: { 'Content-Type': 'application/octet-stream' } }),
    ...Array.from({ length: 20 }, (_, n) => api.get('/n/' + n)),
  ]);
  return { statuses: results.map((r) => (r.status === 'fulfilled' ? r.value.status : String(r.reason))), calls, events };
};
document.body.dataset.ready = 'true';
`;

const credentials = { accessKeyId: 'ASIABROWSERIAM000001', secretAccessKey: 'browser/iam+secret=', sessionToken: 'FwoG+browser/token==' };
const known = new Map<string, KnownCredentials>([[credentials.accessKeyId, credentials]]);
let api: IamApi;
let page: Server;
let browser: Browser;

beforeAll(async () => {
  api = await startIamApi({ region: 'eu-west-1', service: 'execute-api', credentials: (id) => known.get(id) });
  const bundle = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const code = bundle.outputFiles[0]!.text;
  page = createServer((request, response) => {
    if (request.url === '/app.js') return void response.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>iam</title><body><script type="module" src="/app.js"></script></body>');
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (page ? page.close(resolve) : resolve(undefined)));
  await api?.stop();
});

describe('installAmplifyIam in Chromium', () => {
  it.each(['xhr', 'fetch'] as const)(
    'signs requests through the %s adapter that the aws4 verifier accepts, with one credentials call',
    async (adapter) => {
      const context = await browser.newContext();
      try {
        const tab = await context.newPage();
        // The API is another origin (localhost, not 127.0.0.1): real CORS.
        await tab.goto(`http://localhost:${(page.address() as AddressInfo).port}/`);
        await tab.waitForSelector('body[data-ready="true"]', { state: 'attached' });
        const before = api.requests.length;
        const result = await tab.evaluate(
          (args) => (window as unknown as { runIam: (a: typeof args) => Promise<{ statuses: unknown[]; calls: number }> }).runIam(args),
          { apiUrl: api.url, credentials, adapter },
        );
        expect(result.statuses).toEqual(Array(24).fill(200));
        expect(result.calls).toBe(1);
        expect(
          api.requests
            .slice(before)
            .filter((request) => request.method !== 'OPTIONS')
            .every((request) => request.status === 200),
        ).toBe(true);
      } finally {
        await context.close();
      }
    },
  );
});
