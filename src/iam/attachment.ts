import { AxiosError, type InternalAxiosRequestConfig } from 'axios';
import type { Attachment } from '../attachment.js';
import { bodyBytes, canonicalUrl, clockOffsetFrom, signatureHeaderNames, signatureRejection, signRequest } from './sign.js';
import type { AwsCredentials } from './credentials.js';
import { credentialsOf } from './source.js';

/** Where the requests of one install are signed for, and how to tell the URL axios sends. */
export interface SigningContext {
  region: string;
  service: string;
  /** The URL a request goes to, `params` included, as axios builds it. */
  sentUrl: (config: InternalAxiosRequestConfig) => string | undefined;
}

const signatureHeaders = new Set(signatureHeaderNames);

/** Removes a signature (whatever the case of its header names) from a header bag. */
function stripSignature(headers: Record<string, unknown>): void {
  for (const name of Object.keys(headers)) if (signatureHeaders.has(name.toLowerCase())) Reflect.deleteProperty(headers, name);
}

/**
 * AWS Signature V4 as the way a request carries its credential. The request is signed after axios
 * serialized it, on a copy that sends exactly what was signed: the URL in the form every adapter
 * sends unchanged (no `baseURL` or `params` left to build), the body's bytes, the Content-Type
 * they need, and no stale Content-Length. A signature is for one URL: no redirect hop keeps it.
 * An answer that says the signature's time was off corrects the clock (from the server's time)
 * and sends the same credentials again; one that says they expired asks for new ones.
 */
export function signatureAttachment({ region, service, sentUrl }: SigningContext): Attachment {
  let clockOffsetMs = 0;
  let last: { token: string; credentials: AwsCredentials } | undefined;
  const credentials = (token: string): AwsCredentials =>
    (last?.token === token ? last : (last = { token, credentials: credentialsOf(token) })).credentials;
  const refuse = (config: InternalAxiosRequestConfig, why: string): never => {
    throw new AxiosError(`axios-amplify-auth/iam: ${why}`, AxiosError.ERR_BAD_REQUEST, config);
  };

  return {
    async attach(config, _route, token) {
      const full = sentUrl(config);
      let url: string;
      try {
        url = canonicalUrl(full ?? '');
      } catch {
        return refuse(config, `cannot sign a request to ${JSON.stringify(full ?? config.url)}: its URL is not absolute (set baseURL)`);
      }
      const body = await bodyBytes(config.data);
      if (body.kind === 'unsignable') {
        return refuse(
          config,
          body.reason === 'stream'
            ? 'a streamed body cannot be signed: send its bytes'
            : 'this body cannot be signed: send a string or bytes',
        );
      }
      const headers = config.headers.concat();
      stripSignature(headers as unknown as Record<string, unknown>);
      if (body.contentType && (body.contentType.replace || !headers.has('Content-Type')))
        headers.set('Content-Type', body.contentType.value);
      // A Content-Length of the body before serialization would be stale; the adapter sets the right one.
      headers.delete('Content-Length');
      const signed: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers.toJSON())) if (typeof value === 'string') signed[name] = value;
      const signature = await signRequest({ method: config.method ?? 'get', url, headers: signed, body: body.bytes }, credentials(token), {
        region,
        service,
        now: Date.now() + clockOffsetMs,
      });
      for (const [name, value] of Object.entries(signature)) headers.set(name, value);
      // The URL is complete: no baseURL, no params for the adapter to add again.
      const { baseURL: _baseURL, params: _params, auth: _auth, ...rest } = config;
      return { ...rest, url, data: body.data, headers };
    },
    strip: stripSignature,
    followsRedirects: false,
    remembered: false,
    judge(response) {
      if (!response) return undefined;
      const rejection = signatureRejection(response);
      if (rejection === 'credentials-expired') return 'refresh';
      if (rejection !== 'clock-skew') return undefined;
      const offset = clockOffsetFrom(response);
      if (offset === undefined) return undefined;
      clockOffsetMs = offset;
      return 'resend';
    },
    settle() {},
  };
}
