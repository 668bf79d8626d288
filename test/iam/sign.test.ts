/**
 * The signer against an independent verifier: every request is signed with @smithy/signature-v4
 * (src/iam/sign.ts) and verified by a server that recomputes the signature with aws4 from the raw
 * request it received (test/harness/iam-api.ts). Through axios's real `http` and `fetch` adapters.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { AxiosInstance, AxiosResponse } from 'axios';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsCredentials } from '../../src/iam/credentials.js';
import { bodyBytes, canonicalUrl, clockOffsetFrom, isSignatureRejection, signatureRejection, signRequest } from '../../src/iam/sign.js';
import { type IamApi, type KnownCredentials, startIamApi } from '../harness/iam-api.js';
import { signedClient } from './signed-client.js';

const region = 'eu-west-1';
const service = 'execute-api';
const temporary: AwsCredentials = {
  accessKeyId: 'ASIAEXAMPLETEMPORARY',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  // Real session tokens are base64 with '/', '+' and '='.
  sessionToken: 'IQoJb3JpZ2luX2VjE+/abc==',
  expiration: new Date(Date.now() + 3_600_000),
};
const longTerm: AwsCredentials = { accessKeyId: 'AKIAEXAMPLELONGTERM', secretAccessKey: 'long/term+secret=' };
const expired: AwsCredentials = { ...temporary, accessKeyId: 'ASIAEXAMPLEEXPIRED', expiration: new Date(Date.now() - 1000) };
const revoked: AwsCredentials = { ...temporary, accessKeyId: 'ASIAEXAMPLEREVOKED' };

const known = new Map<string, KnownCredentials>([
  [
    temporary.accessKeyId,
    { secretAccessKey: temporary.secretAccessKey, sessionToken: temporary.sessionToken!, expiration: temporary.expiration! },
  ],
  [longTerm.accessKeyId, { secretAccessKey: longTerm.secretAccessKey }],
  [expired.accessKeyId, { secretAccessKey: expired.secretAccessKey, sessionToken: expired.sessionToken!, expiration: expired.expiration! }],
  [revoked.accessKeyId, { secretAccessKey: revoked.secretAccessKey, sessionToken: revoked.sessionToken!, revoked: true }],
]);

let server: IamApi;
const adapters = ['http', 'fetch'] as const;
let clients: Record<(typeof adapters)[number], AxiosInstance>;
let credentials: AwsCredentials = temporary;
let clientOffsetMs = 0;

beforeAll(async () => {
  server = await startIamApi({ region, service, credentials: (id) => known.get(id) });
  const make = (adapter: (typeof adapters)[number]) =>
    signedClient({ region, service, adapter, credentials: () => credentials, clockOffsetMs: () => clientOffsetMs });
  clients = { http: make('http'), fetch: make('fetch') };
});

afterAll(async () => {
  await server?.stop();
});

function lastRequest() {
  return server.requests.at(-1)!;
}

/** The request verified, and the server received the bytes the test meant to send. */
function expectVerified(response: AxiosResponse, bytes?: Uint8Array | string) {
  expect({ status: response.status, data: response.data as unknown }).toMatchObject({ status: 200, data: { ok: true } });
  if (bytes !== undefined) {
    const expected = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
    expect(lastRequest().body.equals(expected)).toBe(true);
    expect((response.data as { bodySha256: string }).bodySha256).toBe(createHash('sha256').update(expected).digest('hex'));
  }
}

describe.each(adapters)('signed through the %s adapter, verified by aws4', (adapter) => {
  const client = () => clients[adapter];

  describe('bodies', () => {
    it('a JSON object (serialized by axios) and its Content-Type, signed', async () => {
      const data = { name: 'Zoë', tags: ['a', 'b'], nested: { n: 1 } };
      expectVerified(await client().post(`${server.url}/orders`, data), JSON.stringify(data));
      expect(lastRequest().signedHeaders).toEqual(['content-type', 'host', 'x-amz-date', 'x-amz-security-token']);
      expect(lastRequest().headers['content-type']).toBe('application/json');
    });

    it('non-ASCII text (UTF-8), astral characters included', async () => {
      const text = 'héllo wörld – 日本語 😀 \u00a0';
      expectVerified(await client().post(`${server.url}/text`, text, { headers: { 'Content-Type': 'text/plain; charset=utf-8' } }), text);
    });

    it('form-urlencoded (URLSearchParams serialized by axios)', async () => {
      const form = new URLSearchParams({ q: 'a b+c', reserved: "!*'();:@&=+$,/?#[]", é: 'ü' });
      expectVerified(await client().post(`${server.url}/form`, form), form.toString());
      expect(lastRequest().headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    });

    it('form-urlencoded left as URLSearchParams by transformRequest: its type comes along', async () => {
      const form = new URLSearchParams({ a: '1', b: 'x y' });
      const response = await client().post(`${server.url}/form`, form, { transformRequest: [(data: unknown) => data] });
      expectVerified(response, form.toString());
      // axios's dispatch gives a POST its form type before the adapter; the body's own is the fallback.
      expect(lastRequest().headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    });

    it('FormData with text and a file: serialized once, boundary and bytes signed as sent', async () => {
      const form = new FormData();
      form.append('title', 'Ünïcode "quoted"\r\nline');
      form.append('file', new Blob([new Uint8Array([0, 1, 2, 255, 254])], { type: 'application/octet-stream' }), 'résumé 1.bin');
      form.append('title', 'second value');
      const response = await client().post(`${server.url}/upload`, form);
      expectVerified(response);
      const received = lastRequest();
      const boundary = /boundary=(.+)$/.exec(received.headers['content-type']!)?.[1];
      expect(received.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      expect(received.signedHeaders).toContain('content-type');
      const text = received.body.toString('latin1');
      expect(text.startsWith(`--${boundary}\r\n`)).toBe(true);
      expect(text).toContain('name="file"; filename="r\u00c3\u00a9sum\u00c3\u00a9 1.bin"');
      expect(received.body.includes(Buffer.from([0, 1, 2, 255, 254]))).toBe(true);
      expect(text.trimEnd().endsWith(`--${boundary}--`)).toBe(true);
    });

    it('binary: ArrayBuffer, Buffer, typed arrays and DataView (a view sends its own range only)', async () => {
      const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 255);
      const raw = { transformRequest: [(data: unknown) => data], headers: { 'Content-Type': 'application/octet-stream' } };
      expectVerified(await client().put(`${server.url}/bin`, bytes.buffer, raw), bytes);
      expectVerified(await client().put(`${server.url}/bin`, Buffer.from(bytes), raw), bytes);
      expectVerified(await client().put(`${server.url}/bin`, bytes.subarray(10, 90), raw), bytes.subarray(10, 90));
      expectVerified(await client().put(`${server.url}/bin`, new DataView(bytes.buffer, 4, 16), raw), bytes.subarray(4, 20));
      const floats = new Float32Array([1.5, -2, Math.PI]);
      expectVerified(await client().put(`${server.url}/bin`, floats, raw), new Uint8Array(floats.buffer));
    });

    it('a Blob: read and sent as bytes', async () => {
      const blob = new Blob(['blob ✓ body'], { type: 'text/x-custom' });
      expectVerified(await client().post(`${server.url}/blob`, blob, { headers: { 'Content-Type': 'text/x-custom' } }), 'blob ✓ body');
      expect(lastRequest().headers['content-type']).toBe('text/x-custom');
    });

    it('empty: GET without a body, POST with an empty string, DELETE', async () => {
      expectVerified(await client().get(`${server.url}/empty`), '');
      expectVerified(await client().post(`${server.url}/empty`, ''), '');
      expectVerified(await client().delete(`${server.url}/empty/1`), '');
    });

    it('a 1 MiB body (hashed with WebCrypto where the runtime has it)', async () => {
      const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31) & 255);
      expectVerified(await client().put(`${server.url}/big`, big.buffer, { headers: { 'Content-Type': 'application/octet-stream' } }), big);
    });

    it('a stream cannot be signed: the request is refused before it is sent', async () => {
      const before = server.requests.length;
      await expect(client().post(`${server.url}/stream`, Readable.from(['a', 'b']))).rejects.toThrow(/stream body cannot be signed/);
      expect(server.requests.length).toBe(before);
    });
  });

  describe('URLs', () => {
    const cases: Array<[string, string, Record<string, unknown> | undefined]> = [
      ['reserved characters in params', '/search', { q: "!*'();:@&=+$,/?#[]", 'k!*()': 'v' }],
      ['reserved characters written in the URL', "/search?a=!*'();:@$,/?[]&b=x=y", undefined],
      ['spaces in params (axios sends +)', '/search', { q: 'a b  c', 'two words': 'x' }],
      ['a literal + in params and in the URL', '/search?lit=1+1', { plus: 'a+b', both: '+ +' }],
      ['repeated keys, in the URL and as an array param', '/search?a=2&a=1&a=10&b=', { tag: ['z', 'a', 'm'] }],
      ['empty values and a key without =', '/search?empty=&flag&x=1', { also: '' }],
      ['unsorted keys and case', '/search?z=1&A=2&a=3&_=4&~=5', undefined],
      ['non-ASCII path and query', '/café/日本/😀', { q: 'ünïcødé 😀' }],
      ['a trailing slash', '/items/', undefined],
      ['an encoded slash in a segment', '/files/a%2Fb/c%252F', undefined],
      ['sub-delims, colon and at in the path', "/a(b)/c!d/e'f*g/h:i@j/k,l;m=n$o&p+q", undefined],
      ['spaces and lower-case escapes in the path', '/with space/%7euser/%c3%a9', undefined],
      ['a lone % in path and query', '/100%/x?pct=100%&ok=%41', undefined],
      ['dot segments and a double slash', '/a/./b/../c//d', undefined],
      ['the root path with a query only', '/?only=query', undefined],
    ];

    it.each(cases)('%s', async (_name, path, params) => {
      const response = await client().get(`${server.url}${path}`, params ? { params } : {});
      expectVerified(response, '');
      // What was received is the canonical URL, unchanged by the adapter.
      const sent = canonicalUrl(client().getUri({ url: `${server.url}${path}`, ...(params ? { params } : {}) }));
      expect(`${server.url}${lastRequest().target}`).toBe(sent);
    });

    it('generated paths and queries verify (property)', async () => {
      const chars = fc.constantFrom(...'aZ09-._~ !*\'();:@&=+$,/?#[]%é日😀"<>\\^`{|}'.split(/(?:)/u));
      const text = fc.array(chars, { maxLength: 12 }).map((parts) => parts.join(''));
      await fc.assert(
        fc.asyncProperty(
          fc.array(text, { minLength: 1, maxLength: 4 }),
          fc.dictionary(text, text, { maxKeys: 4 }),
          fc.boolean(),
          async (segments, params, encode) => {
            // Encoded segments, or raw ones as an app might write them (WHATWG URL parsing decides).
            const path = `/${segments.map((segment) => (encode ? encodeURIComponent(segment) : segment)).join('/')}`;
            const response = await client().get(`${server.url}${path}`, { params });
            expect(
              response.status,
              JSON.stringify({ path, params, received: lastRequest().target, canonical: lastRequest().canonicalRequest }),
            ).toBe(200);
          },
        ),
        { numRuns: 40 },
      );
    });
  });

  describe('credentials', () => {
    it('long-term credentials without a session token: no X-Amz-Security-Token', async () => {
      credentials = longTerm;
      try {
        expectVerified(await client().post(`${server.url}/lt`, { a: 1 }));
        expect(lastRequest().headers['x-amz-security-token']).toBeUndefined();
        expect(lastRequest().signedHeaders).toEqual(['content-type', 'host', 'x-amz-date']);
      } finally {
        credentials = temporary;
      }
    });

    it('expired credentials: 403 "The security token included in the request is expired", retriable with fresh ones', async () => {
      credentials = expired;
      try {
        const response = await client().get(`${server.url}/expired`);
        expect(response.status).toBe(403);
        expect(response.data).toEqual({ message: 'The security token included in the request is expired' });
        expect(response.headers['x-amzn-errortype']).toBe('ExpiredTokenException');
        expect(signatureRejection(response)).toBe('credentials-expired');
      } finally {
        credentials = temporary;
      }
      expectVerified(await client().get(`${server.url}/expired`));
    });

    it('refusals that no retry cures are not signature rejections', async () => {
      const cases: Array<[AwsCredentials, string, number]> = [
        [{ ...temporary, secretAccessKey: 'wrong' }, 'InvalidSignatureException', 403],
        [{ ...temporary, accessKeyId: 'ASIAUNKNOWN' }, 'UnrecognizedClientException', 403],
        [{ ...temporary, sessionToken: 'another-token' }, 'UnrecognizedClientException', 403],
        [revoked, 'AccessDeniedException', 403],
      ];
      for (const [wrong, type, status] of cases) {
        credentials = wrong;
        try {
          const response = await client().get(`${server.url}/refused`);
          expect({ status: response.status, type: response.headers['x-amzn-errortype'] as unknown }).toEqual({ status, type });
          expect(isSignatureRejection(response)).toBe(false);
        } finally {
          credentials = temporary;
        }
      }
    });
  });

  describe('clock skew', () => {
    it.each([
      [
        '10 minutes ahead of the client',
        10 * 60_000,
        /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
      ],
      [
        '10 minutes behind the client',
        -10 * 60_000,
        /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/,
      ],
    ])('server %s: refused with the real message, then one retry at the learned offset passes', async (_name, offset, message) => {
      server.clockOffsetMs = offset;
      try {
        const first = await client().get(`${server.url}/skew`);
        expect(first.status).toBe(403);
        expect((first.data as { message: string }).message).toMatch(message);
        expect(first.headers['x-amzn-errortype']).toBe('InvalidSignatureException');
        expect(signatureRejection(first)).toBe('clock-skew');
        const learned = clockOffsetFrom(first)!;
        expect(Math.abs(learned - offset)).toBeLessThan(2000);
        clientOffsetMs = learned;
        expectVerified(await client().get(`${server.url}/skew`));
      } finally {
        server.clockOffsetMs = 0;
        clientOffsetMs = 0;
      }
    });

    it('within the 5-minute window, a skewed clock still passes', async () => {
      server.clockOffsetMs = 4 * 60_000;
      try {
        expectVerified(await client().get(`${server.url}/small-skew`));
      } finally {
        server.clockOffsetMs = 0;
      }
    });
  });
});

describe('the answers of each AWS front door', () => {
  it.each([
    ['lambda-url', 'lambda', 403, (message: string) => ({ Message: message })],
    ['appsync', 'appsync', 401, (message: string) => ({ errors: [{ errorType: expect.any(String) as string, message }] })],
  ] as const)('%s: expiry and skew are recognized in its shape', async (flavor, signingService, status, shape) => {
    const api = await startIamApi({ region, service: signingService, flavor, credentials: (id) => known.get(id) });
    try {
      const make = (creds: AwsCredentials) => signedClient({ region, service: signingService, adapter: 'http', credentials: () => creds });
      const stale = await make(expired).post(`${api.url}/graphql`, { query: '{ a }' });
      expect(stale.status).toBe(status);
      expect(stale.data).toEqual(shape('The security token included in the request is expired'));
      expect(signatureRejection(stale)).toBe('credentials-expired');

      api.clockOffsetMs = -20 * 60_000;
      const skewed = await make(temporary).post(`${api.url}/graphql`, { query: '{ a }' });
      expect(signatureRejection(skewed)).toBe('clock-skew');
      expect(Math.abs(clockOffsetFrom(skewed)! + 20 * 60_000)).toBeLessThan(2000);

      api.clockOffsetMs = 0;
      const fine = await make(temporary).post(`${api.url}/graphql`, { query: '{ a }' });
      expect(fine.status).toBe(200);
    } finally {
      await api.stop();
    }
  });
});

describe('the verifier is not fooled', () => {
  it('a signature does not carry over to another path, query, method, body or session token', async () => {
    const url = canonicalUrl(`${server.url}/orders/1?x=1`);
    const headers = { 'Content-Type': 'application/json' };
    const signature = await signRequest({ method: 'PUT', url, headers, body: '{"a":1}' }, temporary, { region, service });
    const send = (method: string, target: string, data: string, extra: Record<string, string> = {}) =>
      fetch(target, { method, headers: { ...headers, ...signature, ...extra } as Record<string, string>, body: data });
    expect((await send('PUT', url, '{"a":1}')).status).toBe(200);
    for (const response of [
      await send('PUT', canonicalUrl(`${server.url}/orders/2?x=1`), '{"a":1}'),
      await send('PUT', canonicalUrl(`${server.url}/orders/1?x=2`), '{"a":1}'),
      await send('POST', url, '{"a":1}'),
      await send('PUT', url, '{"a":2}'),
      await send('PUT', url, '{"a":1}', { 'Content-Type': 'text/plain' }),
      await send('PUT', url, '{"a":1}', { 'X-Amz-Security-Token': 'forged' }),
    ]) {
      expect(response.status).toBe(403);
      expect(response.headers.get('x-amzn-errortype')).toMatch(/InvalidSignatureException|UnrecognizedClientException/);
    }
  });
});

describe('helpers', () => {
  it('canonicalUrl is idempotent and stable under WHATWG parsing (property)', () => {
    const chars = fc.constantFrom(...'aZ09-._~ !*\'();:@&=+$,/?#[]%é日😀"<>\\^`{|}'.split(/(?:)/u));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 40 }), (parts) => {
        const url = canonicalUrl(`https://api.example.com/${parts.join('')}`);
        expect(canonicalUrl(url)).toBe(url);
        expect(new URL(url).href).toBe(url);
        expect(url).not.toMatch(/[^A-Za-z0-9\-._~%/?&=:]/);
      }),
      { numRuns: 500 },
    );
    expect(canonicalUrl('https://user:pw@api.example.com:443/a b?q=x+y#frag')).toBe('https://api.example.com/a%20b?q=x%20y');
    expect(canonicalUrl('https://api.example.com:8443/%7e%2f%2F?%7e=%2b')).toBe('https://api.example.com:8443/~%2F%2F?~=%2B');
  });

  it('signRequest: the headers it returns, per service and credentials', async () => {
    const request = {
      method: 'post',
      url: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/x',
      headers: { 'User-Agent': 'me' },
      body: '{}',
    };
    const now = Date.UTC(2024, 0, 2, 3, 4, 5);
    const api = await signRequest(request, temporary, { region, service, now });
    expect(Object.keys(api).sort()).toEqual(['Authorization', 'X-Amz-Date', 'X-Amz-Security-Token']);
    expect(api['X-Amz-Date']).toBe('20240102T030405Z');
    expect(api.Authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLETEMPORARY\/20240102\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    const s3 = await signRequest(request, longTerm, { region, service: 's3', now });
    expect(Object.keys(s3).sort()).toEqual(['Authorization', 'X-Amz-Content-Sha256', 'X-Amz-Date']);
    expect(s3['X-Amz-Content-Sha256']).toBe(createHash('sha256').update('{}').digest('hex'));
    // The same request signed twice at the same time: the same signature (nothing random).
    expect((await signRequest(request, temporary, { region, service, now })).Authorization).toBe(api.Authorization);
  });

  it('bodyBytes: the kinds it tells apart', async () => {
    expect(await bodyBytes(undefined)).toEqual({ kind: 'bytes', bytes: new Uint8Array(0), data: undefined });
    expect(await bodyBytes(null)).toMatchObject({ kind: 'bytes', data: undefined });
    expect(await bodyBytes(Readable.from([]))).toEqual({ kind: 'unsignable', reason: 'stream' });
    expect(await bodyBytes(new ReadableStream())).toEqual({ kind: 'unsignable', reason: 'stream' });
    expect(await bodyBytes({ plain: 'object' })).toEqual({ kind: 'unsignable', reason: 'unsupported' });
    expect(await bodyBytes(42)).toEqual({ kind: 'unsignable', reason: 'unsupported' });
    expect(await bodyBytes(new Blob(['x'], { type: 'image/png' }))).toMatchObject({ contentType: { value: 'image/png', replace: false } });
    expect(await bodyBytes(new Blob(['x']))).not.toHaveProperty('contentType');
    const buffer = Buffer.from('abc');
    expect((await bodyBytes(buffer)).kind === 'bytes' && (await bodyBytes(buffer))).toMatchObject({ data: buffer });
  });

  it('signatureRejection and clockOffsetFrom read every shape, and ignore what is not theirs', () => {
    const now = Date.UTC(2024, 0, 1, 0, 10, 0);
    const expiredMessage = 'Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z - 5 min.)';
    expect(signatureRejection({ status: 403, data: { message: expiredMessage } })).toBe('clock-skew');
    expect(clockOffsetFrom({ status: 403, data: JSON.stringify({ message: expiredMessage }) }, now - 60_000)).toBe(60_000);
    expect(clockOffsetFrom({ status: 403, data: new TextEncoder().encode(JSON.stringify({ Message: expiredMessage })) }, now)).toBe(0);
    expect(clockOffsetFrom({ status: 403, headers: { Date: new Date(now + 5000).toUTCString() } }, now)).toBe(5000);
    expect(clockOffsetFrom({ status: 403, headers: new Headers({ date: 'garbage' }) }, now)).toBeUndefined();
    expect(signatureRejection({ status: 400, data: { __type: 'com.amazon.coral.service#ExpiredTokenException', message: 'x' } })).toBe(
      'credentials-expired',
    );
    expect(signatureRejection({ status: 403, headers: { 'x-amzn-errortype': 'RequestTimeTooSkewed' } })).toBe('clock-skew');
    expect(
      signatureRejection({ status: 403, data: { message: 'The security token included in the request is invalid.' } }),
    ).toBeUndefined();
    expect(signatureRejection({ status: 403, data: { message: 'Forbidden' } })).toBeUndefined();
    expect(signatureRejection({ status: 200, data: { message: expiredMessage } })).toBeUndefined();
    expect(signatureRejection({ status: 500, data: { message: expiredMessage } })).toBeUndefined();
  });
});
