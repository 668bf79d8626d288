/**
 * AWS Signature Version 4 for one request, exactly as it goes on the wire.
 *
 * The signature itself is `@smithy/signature-v4` (the AWS SDK's own signer) with a pure-JS
 * SHA-256 (`@aws-crypto/sha256-js`): no import of `node:crypto`, so it runs in browsers, workers,
 * Deno, Bun and React Native alike (the runtime's native hash is used where it offers one).
 * What this module adds is the part every hand-written axios signer gets wrong: signing the
 * bytes, path, query and headers that are really sent, not what the app meant.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from './credentials.js';

/** One request as it will be sent: what {@link signRequest} signs. */
export interface SignableRequest {
  /** Any case; signed upper-cased, as every axios adapter sends it. */
  readonly method: string;
  /** Absolute, exactly as the adapter will send it: pass it through {@link canonicalUrl} first. */
  readonly url: string;
  /**
   * The request's headers as they will be sent. Only `host`, `content-type` and `x-amz-*` are
   * signed (see {@link signRequest}); the others are ignored.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The body's exact bytes ({@link bodyBytes}), a string sent as UTF-8, or `undefined` for none. */
  readonly body: Uint8Array | string | undefined;
}

/** Where and when a request is signed. */
export interface SignOptions {
  /** The region of the API, for example `'eu-west-1'`. */
  readonly region: string;
  /** The signing name of the service: `'execute-api'`, `'lambda'`, `'appsync'`, `'s3'`… */
  readonly service: string;
  /**
   * The time to sign at, in milliseconds since the epoch: the local clock corrected by the
   * offset learned from the server ({@link clockOffsetFrom}).
   * @default Date.now()
   */
  readonly now?: number;
}

/**
 * The headers that make a request signed. `Host` is signed but never returned: the adapter sends
 * it from the URL (browsers refuse to have it set).
 */
export interface SignatureHeaders {
  readonly Authorization: string;
  readonly 'X-Amz-Date': string;
  /** The credentials' session token, when they have one (Cognito identity pool credentials do). */
  readonly 'X-Amz-Security-Token'?: string;
  /** Sent to S3 only, which requires it; see {@link signRequest}. */
  readonly 'X-Amz-Content-Sha256'?: string;
}

/**
 * The headers a signature consists of, lower-cased. Remove them from a request before signing it
 * again (a retry): a stale `X-Amz-Security-Token` of other credentials would otherwise be signed.
 */
export const signatureHeaderNames: readonly string[] = ['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'];

// Below this size the pure-JS hash is faster than a WebCrypto call (measured on Node 20: about
// 5 µs against 30 µs for a small JSON body); above, WebCrypto wins by far (1 MiB: 1 ms against
// 15 ms). Only the payload is ever that large; the HMACs of the signature stay in JS.
const webCryptoMinBytes = 16 * 1024;

type SourceData = string | ArrayBuffer | ArrayBufferView;

function asBytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return utf8(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

function subtleCrypto(): SubtleCrypto | undefined {
  // Absent in React Native and in browser pages that are not a secure context (plain http).
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  return typeof subtle?.digest === 'function' ? subtle : undefined;
}

interface NativeHash {
  update(data: string | Uint8Array): unknown;
  digest(): Uint8Array;
}
interface NativeCrypto {
  createHash(algorithm: 'sha256'): NativeHash;
  createHmac(algorithm: 'sha256', key: string | Uint8Array): NativeHash;
}

// `undefined`: not looked for yet; `null`: the runtime has none.
let native: NativeCrypto | null | undefined;

/**
 * The runtime's own synchronous crypto where it hands it out without an import:
 * `process.getBuiltinModule('node:crypto')` (Node ≥ 20.16, Bun, Deno). It halves the cost of a
 * signature (Node 20: about 33 µs against 70 µs in pure JS). Looked up at run time, never
 * imported, so that bundles for browsers and React Native carry no trace of it.
 */
function nativeCrypto(): NativeCrypto | undefined {
  if (native === undefined) {
    native = null;
    try {
      const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
      const module = typeof process?.getBuiltinModule === 'function' ? process.getBuiltinModule('node:crypto') : undefined;
      const candidate = module as Partial<NativeCrypto> | undefined;
      if (typeof candidate?.createHash === 'function' && typeof candidate.createHmac === 'function') native = candidate as NativeCrypto;
    } catch {
      // A runtime that refuses the lookup: the pure-JS hash is used.
    }
  }
  return native ?? undefined;
}

/**
 * SHA-256 (and HMAC-SHA-256 with a `secret`) for the signer: the runtime's native crypto where
 * it has one; else `@aws-crypto/sha256-js`, with WebCrypto's digest for a large payload where the
 * runtime has it (browsers in a secure context). Smithy feeds each hash one `update`.
 */
class Sha256Hybrid {
  private readonly secret: SourceData | undefined;
  private readonly native: NativeHash | undefined;
  private parts: Uint8Array[] = [];
  private size = 0;

  constructor(secret?: SourceData) {
    this.secret = secret;
    const crypto = nativeCrypto();
    if (crypto) {
      this.native =
        secret === undefined
          ? crypto.createHash('sha256')
          : crypto.createHmac('sha256', typeof secret === 'string' ? secret : asBytes(secret));
    }
  }

  update(data: SourceData): void {
    if (this.native) {
      this.native.update(typeof data === 'string' ? data : asBytes(data));
      return;
    }
    const bytes = asBytes(data);
    this.parts.push(bytes);
    this.size += bytes.byteLength;
  }

  async digest(): Promise<Uint8Array> {
    if (this.native) return new Uint8Array(this.native.digest());
    const subtle = this.secret === undefined && this.size >= webCryptoMinBytes ? subtleCrypto() : undefined;
    if (subtle) {
      const [only, ...more] = this.parts;
      const joined = only && more.length === 0 ? only : concat(this.parts, this.size);
      // WebCrypto takes no view of a SharedArrayBuffer.
      const input = joined.buffer instanceof ArrayBuffer ? (joined as Uint8Array<ArrayBuffer>) : concat([joined], joined.byteLength);
      try {
        return new Uint8Array(await subtle.digest('SHA-256', input));
      } catch {
        // A WebCrypto that refuses (a locked-down or partial implementation): hash in JS instead.
      }
    }
    const hash = new Sha256(this.secret);
    for (const part of this.parts) hash.update(part);
    return hash.digest();
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
  }
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

// Created on first use, not on import: an app that imports this entry on a Hermes without
// TextEncoder (React Native before 0.74) must still start. Smithy needs one too, to sign.
let encoder: TextEncoder | undefined;
function utf8(text: string): Uint8Array {
  encoder ??= new TextEncoder();
  // Lone surrogates become U+FFFD, as every adapter sends them.
  return encoder.encode(text);
}

/** Headers signed besides `host`: the body's type and AWS's own. */
function signable(name: string): boolean {
  return name === 'content-type' || (name.startsWith('x-amz-') && !signatureHeaderNames.includes(name));
}

// The signer of the credentials in use: smithy keeps the day's signing key in it, so that the
// four HMACs that derive the key are not redone for every request.
let lastSigner: { key: string; signer: SignatureV4 } | undefined;
function signerFor(credentials: AwsCredentials, region: string, service: string): SignatureV4 {
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  const key = [accessKeyId, secretAccessKey, sessionToken, region, service].join('\n');
  if (lastSigner?.key === key) return lastSigner.signer;
  const s3 = service === 's3';
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    region,
    service,
    sha256: Sha256Hybrid,
    // S3 signs the path as sent; every other service signs it encoded once more (smithy
    // normalizes `.`/`..`/`//` and double-encodes when this is true).
    uriEscapePath: !s3,
    applyChecksum: s3,
  });
  lastSigner = { key, signer };
  return signer;
}

/**
 * Signs `request` with AWS Signature Version 4 and returns the headers to add to it.
 *
 * What is signed is what is sent:
 * - the method, upper-cased;
 * - the path as it is on the wire (percent-encoded once), encoded a second time in the canonical
 *   request, as SigV4 wants for every service but S3 (which gets it once: `uriEscapePath: false`);
 * - the query as sent: `+` read as a space (as API Gateway reads it), `%XX` decoded, every key and
 *   value encoded again per RFC 3986 and sorted, repeated keys and empty values kept;
 * - `host` (the request's `Host` header if it has one, else the URL's host), `content-type`, and
 *   every `x-amz-*` header; never `user-agent`, `content-length` and the other headers that
 *   adapters, browsers and proxies add or change after this point;
 * - the SHA-256 of the body bytes.
 *
 * `X-Amz-Content-Sha256` is sent to S3 only, which requires it. API Gateway, Lambda function URLs
 * and AppSync do not, and a header the API's CORS configuration does not list would fail the
 * browser's preflight (API Gateway's default allowed headers are `Content-Type, X-Amz-Date,
 * Authorization, X-Api-Key, X-Amz-Security-Token`:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html).
 *
 * @example
 * const url = canonicalUrl('https://abc123.execute-api.eu-west-1.amazonaws.com/prod/orders?q=a b');
 * const headers = await signRequest(
 *   { method: 'GET', url, headers: {}, body: undefined },
 *   await getCredentials(),
 *   { region: 'eu-west-1', service: 'execute-api' },
 * );
 * await fetch(url, { headers }); // Authorization, X-Amz-Date, X-Amz-Security-Token
 */
export async function signRequest(
  request: SignableRequest,
  credentials: AwsCredentials,
  { region, service, now = Date.now() }: SignOptions,
): Promise<SignatureHeaders> {
  const url = new URL(request.url);
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'host' || signable(lower)) headers[lower] = value;
  }
  headers.host ??= url.host;

  // `+` is a space in a query (application/x-www-form-urlencoded), as URLSearchParams, aws4 and
  // API Gateway read it; canonicalUrl() sends it as %20 so that no server can read it otherwise.
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of new URLSearchParams(url.search)) {
    const seen = query[key];
    query[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }

  const s3 = service === 's3';
  const signer = signerFor(credentials, region, service);
  const signed = await signer.sign(
    {
      method: request.method.toUpperCase(),
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query,
      headers,
      body: typeof request.body === 'string' ? utf8(request.body) : request.body,
    },
    { signingDate: new Date(now) },
  );

  const { authorization, 'x-amz-date': date } = signed.headers;
  if (authorization === undefined || date === undefined) throw new Error('axios-amplify-auth/iam: the signer produced no signature');
  const out: Record<string, string> = { Authorization: authorization, 'X-Amz-Date': date };
  const token = signed.headers['x-amz-security-token'];
  if (credentials.sessionToken && token !== undefined) out['X-Amz-Security-Token'] = token;
  const contentSha256 = signed.headers['x-amz-content-sha256'];
  if (s3 && contentSha256 !== undefined) out['X-Amz-Content-Sha256'] = contentSha256;
  return out as unknown as SignatureHeaders;
}

const unreserved = /^[A-Za-z0-9\-._~]$/;

function percent(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * One path or query component in RFC 3986's normal form: unreserved characters as themselves,
 * every other byte `%XX` in upper case (a `%` that starts no escape is itself escaped), `keep`
 * characters untouched. Bytes are kept as bytes: nothing is decoded as UTF-8.
 */
function normalizeComponent(raw: string, keep: string, plusIsSpace: boolean): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw.charAt(i);
    if (char === '%' && /^[0-9A-Fa-f]{2}$/.test(raw.slice(i + 1, i + 3))) {
      const byte = parseInt(raw.slice(i + 1, i + 3), 16);
      const decoded = String.fromCharCode(byte);
      out += byte < 0x80 && unreserved.test(decoded) ? decoded : percent(byte);
      i += 2;
    } else if (char === '+' && plusIsSpace) {
      out += '%20';
    } else if (unreserved.test(char) || keep.includes(char)) {
      out += char;
    } else {
      // WHATWG URL serialization leaves only ASCII here; other text is encoded as its UTF-8 bytes.
      for (const byte of utf8(char)) out += percent(byte);
    }
  }
  return out;
}

/**
 * The URL to send so that what the adapter sends is byte for byte what {@link signRequest} signs,
 * and so that the server reads it the way the signer did.
 *
 * SigV4 signs the path "URI-encoded twice" (every service but S3), and servers read that in one
 * of two ways: encode the path as received once more, or decode it and encode it twice
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). The two agree
 * only on a path in RFC 3986's normal form, which is what this returns: unreserved characters
 * plain, everything else `%XX` in upper case (`/a(b)` becomes `/a%28b%29`, `%7e` becomes `~`), as
 * the AWS SDKs send paths. In the query, `+` becomes `%20`: axios serializes a space in `params`
 * as `+`, which API Gateway reads as a space (its expected canonical string shows `a+b` as
 * `a%20b`: zirkelc/aws-signature-v4#4) but a literal-minded server reads as a plus
 * (mhart/aws4fetch#83); `%20` is a space to all. Keys and values get the same normal form, in the
 * order sent; a parameter without a name (`?=x`) is dropped. The fragment and any user info are
 * dropped: neither is sent in a way that can be signed, and user info makes axios's http adapter
 * replace `Authorization` with Basic credentials.
 *
 * The result is stable under WHATWG URL parsing, so every adapter (`http`, `fetch`, `xhr`) sends
 * it unchanged.
 *
 * @example
 * canonicalUrl('https://api.example.com/files/a b(1).txt?q=x+y&tag=a&tag=b#top');
 * // 'https://api.example.com/files/a%20b%281%29.txt?q=x%20y&tag=a&tag=b'
 */
export function canonicalUrl(url: string): string {
  const parsed = new URL(url);
  const path = normalizeComponent(parsed.pathname, '/', false);
  const pairs = parsed.search
    .slice(1)
    .split('&')
    // A parameter without a name is dropped: services do not take one (aws4 drops it too), and
    // signers disagree on how to canonicalize it.
    .filter((pair) => pair !== '' && !pair.startsWith('='))
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 0) return normalizeComponent(pair, '', true);
      return `${normalizeComponent(pair.slice(0, equals), '', true)}=${normalizeComponent(pair.slice(equals + 1), '', true)}`;
    });
  return `${parsed.protocol}//${parsed.host}${path}${pairs.length ? `?${pairs.join('&')}` : ''}`;
}

/** The body to send and the bytes to sign, from {@link bodyBytes}. */
export type RequestBody =
  | {
      readonly kind: 'bytes';
      /** The exact bytes the adapter will send: sign these. */
      readonly bytes: Uint8Array;
      /**
       * What to put in `config.data` so that every adapter sends exactly `bytes`: the data itself
       * when adapters already agree on its bytes (a string, an `ArrayBuffer`, a Node `Buffer`,
       * `undefined`), else an `ArrayBuffer` holding them.
       */
      readonly data: string | ArrayBuffer | Uint8Array | undefined;
      /**
       * The `Content-Type` the body carried by itself and loses in `data`: FormData's
       * (`multipart/form-data; boundary=…`, which must replace any other: `replace: true`), a
       * Blob's type or URLSearchParams' (to send when the request has no `Content-Type`).
       */
      readonly contentType?: { readonly value: string; readonly replace: boolean };
    }
  | {
      readonly kind: 'unsignable';
      /**
       * `'stream'`: a Node `Readable`, a `ReadableStream` or an async iterable, whose bytes are not
       * known before they are sent. `'unsupported'`: a value no adapter sends as given (a plain
       * object that `transformRequest` left unserialized, a number…).
       */
      readonly reason: 'stream' | 'unsupported';
    };

type NodeBuffer = Uint8Array & { readonly __nodeBuffer?: never };
function isNodeBuffer(data: unknown): data is NodeBuffer {
  const Buffer = (globalThis as { Buffer?: { isBuffer?: (value: unknown) => boolean } }).Buffer;
  return typeof Buffer?.isBuffer === 'function' && Buffer.isBuffer(data);
}

function copyToArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = bytes;
  if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) return buffer;
  const copy = new ArrayBuffer(byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

function isStream(data: object): boolean {
  const candidate = data as { pipe?: unknown; getReader?: unknown; [Symbol.asyncIterator]?: unknown };
  return (
    typeof candidate.pipe === 'function' ||
    typeof candidate.getReader === 'function' ||
    typeof candidate[Symbol.asyncIterator] === 'function'
  );
}

const unsupported: RequestBody = { kind: 'unsignable', reason: 'unsupported' };
const empty = new Uint8Array(0);

/**
 * The exact bytes axios will send for `data`, the request body after `transformRequest` (what an
 * adapter receives as `config.data`), and the `data` to send instead so that every adapter sends
 * those very bytes.
 *
 * A string is sent as UTF-8 (lone surrogates as U+FFFD, as every adapter does). An `ArrayBuffer`,
 * a Node `Buffer`, a typed array or a `DataView` is sent as its bytes (a view's own range only).
 * A `Blob` is read (its type becomes the `Content-Type` if none is set). `URLSearchParams` is sent
 * as its `toString()`. A `FormData` is serialized once, here, with `new Response(formData)` (in
 * browsers, workers, Node ≥ 18, Deno and Bun): its bytes and its `multipart/form-data` boundary
 * are then fixed, where an adapter would otherwise pick a boundary of its own after signing. A
 * stream cannot be signed: it is reported as `'unsignable'`, for the caller to reject.
 *
 * @example
 * const body = await bodyBytes(config.data);
 * if (body.kind === 'unsignable') throw new TypeError('a streamed body cannot be signed');
 * config.data = body.data;
 * if (body.contentType && (body.contentType.replace || !config.headers.has('Content-Type')))
 *   config.headers.set('Content-Type', body.contentType.value);
 */
export async function bodyBytes(data: unknown): Promise<RequestBody> {
  if (data === undefined || data === null) return { kind: 'bytes', bytes: empty, data: undefined };
  if (typeof data === 'string') return { kind: 'bytes', bytes: utf8(data), data };
  if (typeof data !== 'object') return unsupported;
  if (data instanceof ArrayBuffer) return { kind: 'bytes', bytes: new Uint8Array(data), data };
  if (ArrayBuffer.isView(data)) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // axios's http adapter takes a Buffer or an ArrayBuffer, not another view.
    return { kind: 'bytes', bytes, data: isNodeBuffer(data) ? data : copyToArrayBuffer(bytes) };
  }
  if (typeof URLSearchParams === 'function' && data instanceof URLSearchParams) {
    const text = data.toString();
    return {
      kind: 'bytes',
      bytes: utf8(text),
      data: text,
      // The type fetch gives a URLSearchParams body.
      contentType: { value: 'application/x-www-form-urlencoded;charset=UTF-8', replace: false },
    };
  }
  if (typeof FormData === 'function' && data instanceof FormData) {
    if (typeof Response !== 'function') return unsupported;
    let response: Response;
    try {
      response = new Response(data);
    } catch {
      // React Native's fetch polyfill cannot serialize a FormData (its file parts are native URIs).
      return unsupported;
    }
    const value = response.headers.get('content-type');
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (!value) return unsupported;
    return { kind: 'bytes', bytes, data: copyToArrayBuffer(bytes), contentType: { value, replace: true } };
  }
  if (typeof Blob === 'function' && data instanceof Blob) {
    const bytes = new Uint8Array(await data.arrayBuffer());
    return {
      kind: 'bytes',
      bytes,
      data: copyToArrayBuffer(bytes),
      ...(data.type ? { contentType: { value: data.type, replace: false } } : {}),
    };
  }
  if (isStream(data)) return { kind: 'unsignable', reason: 'stream' };
  return unsupported;
}

/** The parts of a response that {@link signatureRejection} and {@link clockOffsetFrom} read. */
export interface SignatureResponse {
  readonly status: number;
  /** axios's `AxiosHeaders`, a fetch `Headers`, or a plain object. */
  readonly headers?: unknown;
  /** The body: parsed JSON, text, or bytes (`ArrayBuffer`, `Uint8Array`). */
  readonly data?: unknown;
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    const value: unknown = get.call(headers, name);
    if (typeof value === 'string') return value;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

function bodyObject(data: unknown): unknown {
  let text: string | undefined;
  if (typeof data === 'string') text = data;
  else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // Error bodies are short ASCII JSON; decoding as Latin-1 keeps it free of TextDecoder.
    text = bytes.byteLength > 64 * 1024 ? undefined : String.fromCharCode(...bytes);
  } else return data;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `com.amazonaws.x#InvalidSignatureException:http://…` → `InvalidSignatureException`. */
function errorName(type: string): string {
  return type.replace(/^.*#/, '').replace(/:.*$/, '');
}

/** Every error type and message a response carries, in the shapes AWS services answer with. */
function errorsOf(response: SignatureResponse): { types: string[]; messages: string[] } {
  const types: string[] = [];
  const messages: string[] = [];
  // `x-amzn-errortype: InvalidSignatureException:http://internal.amazon.com/…` on some services.
  const type = header(response.headers, 'x-amzn-errortype');
  if (type) types.push(errorName(type));
  const visit = (value: unknown) => {
    if (typeof value === 'string') messages.push(value);
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    // API Gateway: {"message"}; Lambda function URLs: {"Message"}; JSON protocols: {"__type"};
    // AppSync: {"errors":[{"errorType","message"}]}; some proxies: {"code","detailedMessage"}.
    for (const key of ['message', 'Message', 'detailedMessage', 'errorMessage']) {
      if (typeof record[key] === 'string') messages.push(record[key]);
    }
    for (const key of ['__type', 'errorType', 'code', 'Code']) {
      if (typeof record[key] === 'string') types.push(errorName(record[key]));
    }
    if (Array.isArray(record.errors)) for (const error of record.errors.slice(0, 10)) visit(error);
  };
  visit(bodyObject(response.data));
  return { types, messages };
}

// The server's clock is the time in parentheses: "Signature expired: 20240101T000000Z is now
// earlier than 20240101T000500Z (20240101T001000Z - 5 min.)" or "Signature not yet current:
// 20240101T002000Z is still later than 20240101T001500Z (20240101T001000Z + 5 min.)".
const timeWindowMessage = /Signature (?:expired|not yet current):.*\((\d{8}T\d{6}Z) [-+] \d+ min\.\)/;
const skewTypes = new Set(['RequestTimeTooSkewed', 'RequestExpired', 'RequestInTheFuture']);
const expiredTypes = new Set(['ExpiredTokenException', 'ExpiredToken']);
const expiredMessage = /security token included in the request is expired/i;

/**
 * Why an API refused a signed request, when the reason is one that a second attempt cures:
 *
 * - `'credentials-expired'`: the credentials' session token expired ("The security token included
 *   in the request is expired", `ExpiredTokenException`): retry with fresh credentials.
 * - `'clock-skew'`: the signature's time is more than 5 minutes from the server's ("Signature
 *   expired: … is now earlier than …", "Signature not yet current: …", `RequestTimeTooSkewed`):
 *   retry signed at the server's time ({@link clockOffsetFrom}).
 *
 * `undefined` for every other answer, among them the 403s that no retry cures: a signature that
 * does not match, "The security token included in the request is invalid", an IAM policy that
 * denies. The shapes: API Gateway `403 {"message"}` with `x-amzn-errortype`, Lambda function URLs
 * `403 {"Message"}`, AppSync `401 {"errors":[{"errorType","message"}]}`. Sources: the 403 table of
 * https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden ("Signature expired"
 * is an `InvalidSignatureException`), aws-amplify/amplify-js#6181 (ExpiredTokenException on API
 * Gateway), aws-amplify/amplify-js#6494 and mhart/aws4fetch#73 (skew), and the clock-skew error
 * codes of the AWS SDK (`@smithy/service-error-classification`).
 *
 * @example
 * api.interceptors.response.use(undefined, (error) => {
 *   if (error.response && signatureRejection(error.response) === 'clock-skew') offset = clockOffsetFrom(error.response);
 *   throw error;
 * });
 */
export function signatureRejection(response: SignatureResponse): 'credentials-expired' | 'clock-skew' | undefined {
  if (response.status < 400 || response.status > 499) return undefined;
  const { types, messages } = errorsOf(response);
  if (messages.some((message) => timeWindowMessage.test(message)) || types.some((type) => skewTypes.has(type))) return 'clock-skew';
  if (messages.some((message) => expiredMessage.test(message)) || types.some((type) => expiredTypes.has(type))) {
    return 'credentials-expired';
  }
  return undefined;
}

/**
 * True when {@link signatureRejection} names a cause that one more attempt cures.
 *
 * @example
 * if (isSignatureRejection(error.response)) retryOnce(error.config);
 */
export function isSignatureRejection(response: SignatureResponse): boolean {
  return signatureRejection(response) !== undefined;
}

function amzDateMs(text: string): number {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text) ?? [];
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/**
 * How far the server's clock is ahead of this one, in milliseconds (negative: behind), from a
 * response: the server's time that a "Signature expired" or "Signature not yet current" message
 * states, else its `Date` header. `undefined` when it tells neither. Sign the retry at
 * `Date.now() + offset`. Both have one-second resolution, far inside the 5-minute window.
 *
 * In a browser, a cross-origin response's `Date` is readable only if the API lists it in
 * `Access-Control-Expose-Headers` (it is not a CORS-safelisted response header); the message is
 * readable whenever the response is, which is why it comes first.
 *
 * @default nowMs Date.now(), when the response was received
 * @example
 * const offset = clockOffsetFrom(error.response, receivedAt) ?? 0;
 * await signRequest(request, credentials, { region, service, now: Date.now() + offset });
 */
export function clockOffsetFrom(response: SignatureResponse, nowMs: number = Date.now()): number | undefined {
  for (const message of errorsOf(response).messages) {
    const serverTime = timeWindowMessage.exec(message)?.[1];
    if (serverTime !== undefined) {
      const ms = amzDateMs(serverTime);
      if (Number.isFinite(ms)) return ms - nowMs;
    }
  }
  const date = header(response.headers, 'date');
  const ms = date === undefined ? NaN : Date.parse(date);
  return Number.isFinite(ms) ? ms - nowMs : undefined;
}
