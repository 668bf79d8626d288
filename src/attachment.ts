import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { Route } from './allowlist.js';
import type { ResolvedOptions } from './options.js';
import { stripToken } from './redirects.js';
import { handBack, isRejected } from './rejection.js';

/** What a rejected answer asks for: a new credential, or the same one sent again (a clock corrected). */
export type Rejection = 'refresh' | 'resend';

/**
 * How a request carries its credential: a token in a header (the default), or an AWS Signature V4
 * over the request (`/iam`). The transport gets the credential, attaches it, judges the answer and
 * retries the same way for both; only these steps differ.
 */
export interface Attachment {
  /** The config to send with `token` on it: `config` itself, or a copy made to be signed as sent. */
  attach(config: InternalAxiosRequestConfig, route: Route, token: string): InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig>;
  /** Removes what `attach` put on from a header bag (a redirect hop that may not have it, a re-sent config). */
  strip(headers: Record<string, unknown>, token: string): void;
  /** Whether the credential may ride on to another URL of the same route; a signature is for one URL. */
  followsRedirects: boolean;
  /**
   * Whether the token may be remembered in the config (`amplifyAuth.sent`), which the app sees in
   * errors and responses: a JWT that went out in a header, yes; credentials with a secret key, never.
   */
  remembered: boolean;
  /** What an answer to a request that carried the credential says; `undefined`: it was not rejected. */
  judge(response: AxiosResponse | undefined, config: InternalAxiosRequestConfig): Rejection | undefined;
  /** The answer goes back to axios as it is. */
  settle(response: AxiosResponse | undefined, config: InternalAxiosRequestConfig): void;
}

/** The token in `<header>: <scheme> <token>`, on the config axios made for the request (no copy). */
export function tokenAttachment(options: ResolvedOptions): Attachment {
  return {
    attach(config, route, token) {
      // A plain property, as axios's own headers are (absent was checked, a JWT is clean).
      (config.headers as unknown as Record<string, string>)[route.header] = route.scheme ? `${route.scheme} ${token}` : token;
      return config;
    },
    strip: stripToken,
    followsRedirects: true,
    remembered: true,
    judge: (response, config) => (isRejected(options, response, config) ? 'refresh' : undefined),
    settle: handBack,
  };
}
