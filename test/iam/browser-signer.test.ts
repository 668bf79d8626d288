/**
 * The signer as a browser gets it: bundled by esbuild for `platform: 'browser'` (no Node
 * built-in may be pulled in), measured min+gz, and run in Chromium, where it signs requests made
 * with the page's own `fetch` that the aws4 verifier accepts (the page's WebCrypto hashes the
 * large body), and without WebCrypto, as in a page that is not a secure context.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IamApi, type KnownCredentials, startIamApi } from '../harness/iam-api.js';
import { launchChromium } from '../support/chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const signerEntry = "export { signRequest, canonicalUrl, bodyBytes } from './src/iam/sign.ts';";

async function bundle(contents: string, minify: boolean) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

const credentials = { accessKeyId: 'ASIABROWSEREXAMPLE01', secretAccessKey: 'browser/secret+key=', sessionToken: 'FwoGZXIvYXdz+/token==' };
const known = new Map<string, KnownCredentials>([
  [credentials.accessKeyId, { secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken }],
]);

let api: IamApi;
let page: Server;
let browser: Browser;
let signerCode: string;

beforeAll(async () => {
  api = await startIamApi({ region: 'eu-west-1', service: 'execute-api', credentials: (id) => known.get(id) });
  signerCode = (await bundle(signerEntry, true)).code;
  page = createServer((request, response) => {
    if (request.url === '/signer.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      return response.end(signerCode);
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(
      '<!doctype html><title>signer</title><script type="module">' +
        "import * as signer from '/signer.js'; window.signer = signer; document.body.dataset.ready = 'true';</script><body></body>",
    );
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (page ? page.close(resolve) : resolve(undefined)));
  await api?.stop();
});

describe('the signer in a browser', () => {
  it('bundles for the browser without any Node built-in, and is small', async () => {
    const { inputs } = await bundle(signerEntry, false);
    expect(inputs.filter((input) => /^node:|(^|\/)(buffer|crypto|stream|util)$/.test(input))).toEqual([]);
    expect(inputs.some((input) => input.includes('@smithy/signature-v4'))).toBe(true);
    expect(inputs.some((input) => input.includes('@aws-crypto/sha256-js'))).toBe(true);
    const gzipped = gzipSync(Buffer.from(signerCode), { level: 9 }).length;
    console.log(`signer bundle: ${signerCode.length} B min, ${gzipped} B min+gz`);
    expect(gzipped).toBeLessThan(12 * 1024);
  });

  it.each([
    ['a secure context (WebCrypto present)', true],
    // As in a page served over plain http from another host, which is no secure context.
    ['a page without crypto.subtle', false],
  ])('signs fetch requests that the aws4 verifier accepts, in %s', async (_name, secure) => {
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      if (!secure) await tab.addInitScript(() => Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined }));
      const port = (page.address() as AddressInfo).port;
      await tab.goto(`http://127.0.0.1:${port}/`);
      await tab.waitForSelector('body[data-ready="true"]', { state: 'attached' });
      const results = await tab.evaluate(
        async ({ apiUrl, credentials }) => {
          const { signRequest, canonicalUrl, bodyBytes } = (window as unknown as { signer: typeof import('../../src/iam/sign.js') }).signer;
          const form = new FormData();
          form.append('field', 'välue');
          form.append('file', new Blob(['file ✓'], { type: 'text/plain' }), 'f.txt');
          const big = new Uint8Array(1 << 20).map((_, i) => i & 255);
          const bodies: Array<[string, unknown, Record<string, string>]> = [
            ['GET', undefined, {}],
            ['POST', JSON.stringify({ text: 'héllo 😀' }), { 'Content-Type': 'application/json' }],
            ['POST', form, {}],
            ['PUT', big.buffer, { 'Content-Type': 'application/octet-stream' }],
          ];
          const out: Array<{ status: number; body: unknown }> = [];
          for (const [method, data, headers] of bodies) {
            const url = canonicalUrl(`${apiUrl}/caf\u00e9/a(b)?q=a+b&r=!*'()&r=x`);
            const body = await bodyBytes(data);
            if (body.kind !== 'bytes') throw new Error('unsignable');
            const sent: Record<string, string> = { ...headers };
            if (body.contentType) sent['Content-Type'] = body.contentType.value;
            const signature = await signRequest({ method, url, headers: sent, body: body.bytes }, credentials, {
              region: 'eu-west-1',
              service: 'execute-api',
            });
            const response = await fetch(url, {
              method,
              headers: { ...sent, ...signature } as Record<string, string>,
              body: (body.data ?? null) as BodyInit | null,
            });
            out.push({ status: response.status, body: await response.json() });
          }
          return { out, subtle: typeof crypto !== 'undefined' && crypto.subtle !== undefined };
        },
        { apiUrl: api.url, credentials },
      );
      expect(results.subtle).toBe(secure);
      expect(results.out.map((result) => result.status)).toEqual([200, 200, 200, 200]);
      expect(results.out[3]!.body).toMatchObject({ bodyLength: 1 << 20 });
    } finally {
      await context.close();
    }
  });
});
