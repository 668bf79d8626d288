/**
 * A bare signing adapter wrapper for the signer's tests: what the plugin's wrapper does for IAM,
 * minus sessions, retries and redirects. It runs inside axios's dispatch, after transformRequest,
 * and sends exactly what it signed: the canonical URL (no `baseURL`, no `params` left for the
 * adapter to serialize), the body bytes, and the signed headers.
 */
import axios, { type AxiosAdapter, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import type { AwsCredentials } from '../../src/iam/credentials.js';
import { bodyBytes, canonicalUrl, signatureHeaderNames, signRequest } from '../../src/iam/sign.js';

export interface SignedClientOptions {
  region: string;
  service: string;
  credentials: () => AwsCredentials;
  adapter: 'http' | 'fetch';
  /** Added to `Date.now()` when signing: the clock offset the client believes in. */
  clockOffsetMs?: () => number;
}

export function signedClient({ region, service, credentials, adapter, clockOffsetMs = () => 0 }: SignedClientOptions): AxiosInstance {
  const send: AxiosAdapter = axios.getAdapter(adapter);
  const instance = axios.create({ adapter: send, validateStatus: () => true });
  instance.interceptors.request.use((config) => {
    config.adapter = async (inner: InternalAxiosRequestConfig) => {
      const url = canonicalUrl(instance.getUri(inner));
      const body = await bodyBytes(inner.data);
      if (body.kind === 'unsignable') throw new TypeError(`axios-amplify-auth/iam: a ${body.reason} body cannot be signed`);
      const sent: InternalAxiosRequestConfig = { ...inner, url, data: body.data };
      delete sent.baseURL;
      delete sent.params;
      for (const name of signatureHeaderNames) sent.headers.delete(name);
      if (body.contentType && (body.contentType.replace || !sent.headers.has('Content-Type'))) {
        sent.headers.set('Content-Type', body.contentType.value);
      }
      // A Content-Length of another body would be stale; the adapter sets the right one.
      sent.headers.delete('Content-Length');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(sent.headers.toJSON())) if (typeof value === 'string') headers[name] = value;
      const signature = await signRequest({ method: sent.method ?? 'get', url, headers, body: body.bytes }, credentials(), {
        region,
        service,
        now: Date.now() + clockOffsetMs(),
      });
      for (const [name, value] of Object.entries(signature)) sent.headers.set(name, value);
      return send(sent);
    };
    return config;
  });
  return instance;
}
