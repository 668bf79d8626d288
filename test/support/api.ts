import axios, { AxiosHeaders, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import AxiosMockAdapter from 'axios-mock-adapter';
import { serialOf } from './jwt.js';

export interface Attempt {
  url: string;
  authorization: string | undefined;
}

/**
 * An axios instance whose adapter plays a protected API: it accepts a token whose serial is at
 * least `acceptFrom`, answers 401 otherwise, and records every attempt.
 */
export function createApi(baseURL = 'https://api.example.com') {
  const api: AxiosInstance = axios.create({ baseURL });
  const mock = new AxiosMockAdapter(api, { delayResponse: 1 });
  type Reply = [number, unknown];
  const overrides = new Map<string, Array<(config: InternalAxiosRequestConfig) => Reply | Promise<Reply>>>();
  const server = {
    api,
    mock,
    /** The next request to `url` is answered by `reply` instead of the token check. */
    once(url: string, reply: (config: InternalAxiosRequestConfig) => Reply | Promise<Reply>) {
      overrides.set(url, [...(overrides.get(url) ?? []), reply]);
    },
    acceptFrom: 0,
    attempts: [] as Attempt[],
    /** Rejects every token issued so far, once: what a key rotation looks like to the client. */
    rejectCurrentTokens(serial: number) {
      server.acceptFrom = serial + 1;
    },
    attemptsOf(url: string) {
      return server.attempts.filter((attempt) => attempt.url === url);
    },
  };
  mock.onAny().reply((config) => {
    const value = AxiosHeaders.from(config.headers as AxiosHeaders).get('Authorization');
    const authorization = typeof value === 'string' ? value : undefined;
    server.attempts.push({ url: config.url ?? '', authorization });
    const override = overrides.get(config.url ?? '')?.shift();
    if (override) return override(config as InternalAxiosRequestConfig);
    const token = authorization?.replace(/^Bearer /, '');
    if (!token) return [401, { message: 'no token' }];
    return serialOf(token) >= server.acceptFrom ? [200, { ok: true, url: config.url }] : [401, { message: 'rejected' }];
  });
  return server;
}
