import type { AmplifyServer } from 'aws-amplify/adapter-core';
import type { fetchAuthSession as FetchAuthSessionV6 } from 'aws-amplify/auth';
import type { fetchAuthSession as ServerFetchAuthSessionV6 } from 'aws-amplify/auth/server';
import type { Hub as HubV6 } from 'aws-amplify/utils';
import type { Auth as AuthV5Type, Hub as HubV5Type } from 'aws-amplify-v5';
import axios, { type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { describe, expectTypeOf, it } from 'vitest';
import * as core from '../src/core.js';
import { fromServerContext } from '../src/server.js';
import {
  type AmplifyAuth,
  type AmplifyAuthErrorCode,
  type AmplifyAuthEvents,
  type AmplifyAuthOptions,
  fromCurrentSession,
  fromFetchAuthSession,
  installAmplifyAuth,
  isAmplifyAuthError,
  type LogoutReason,
  SessionEndedError,
  type SessionTokens,
  type TokenSource,
} from '../src/index.js';

// The real Amplify objects, as types only: nothing of Amplify runs here.
declare const fetchAuthSession: typeof FetchAuthSessionV6;
declare const serverFetchAuthSession: typeof ServerFetchAuthSessionV6;
declare const Hub: typeof HubV6;
declare const AuthV5: typeof AuthV5Type;
declare const HubV5: typeof HubV5Type;
/** Type-checks `body` without running it (for calls that would throw at run time). */
const typeOnly = (_body: () => unknown): void => {};

// These are checked by `tsc` (npm run typecheck); at run time expectTypeOf does nothing.
describe('published types', () => {
  it('types the per-request option on axios’s config, without a cast', () => {
    expectTypeOf<AxiosRequestConfig['amplifyAuth']>().toEqualTypeOf<{ skip?: boolean } | undefined>();
    const api = axios.create();
    void (() => api.get('/public', { amplifyAuth: { skip: true } }));
    // @ts-expect-error: only `skip` is an option
    void (() => api.get('/public', { amplifyAuth: { skipp: true } }));
  });

  it('types each event’s payload', () => {
    const auth = core.installAmplifyAuth(axios.create(), { source: { getTokens: async () => undefined } });
    auth.on('logout', (payload) => {
      expectTypeOf(payload).toEqualTypeOf<{ reason: LogoutReason; error?: unknown }>();
    });
    auth.on('refresh', (payload) => {
      expectTypeOf(payload.trigger).toEqualTypeOf<'unauthorized' | 'expiring'>();
    });
    auth.on('refreshError', (payload) => expectTypeOf(payload).toEqualTypeOf<{ error: unknown }>());
    expectTypeOf(auth.on('logout', () => {})).toEqualTypeOf<() => void>();
    // @ts-expect-error: no such event
    typeOnly(() => auth.on('signedOut', () => {}));
    expectTypeOf<keyof AmplifyAuthEvents>().toEqualTypeOf<'logout' | 'refresh' | 'refreshError' | 'skip'>();
    auth.on('skip', (payload) =>
      expectTypeOf(payload).toEqualTypeOf<{ url: string; reason: 'not-allowed' | 'signed-out' | 'opted-out' | 'header-set' }>(),
    );
    expectTypeOf(auth).toEqualTypeOf<AmplifyAuth>();
  });

  it('types the options', () => {
    expectTypeOf<AmplifyAuthOptions['tokenType']>().toEqualTypeOf<'id' | 'access' | undefined>();
    expectTypeOf<AmplifyAuthOptions['allow']>().toEqualTypeOf<
      | ReadonlyArray<string | RegExp | { url: string | RegExp; tokenType?: 'id' | 'access'; scheme?: string; header?: string }>
      | ((url: URL) => boolean)
      | undefined
    >();
    expectTypeOf<AmplifyAuthOptions['isRejected']>().toEqualTypeOf<((response: AxiosResponse) => boolean) | undefined>();
    expectTypeOf<AmplifyAuthOptions['statusCodes']>().toEqualTypeOf<readonly number[] | undefined>();
    expectTypeOf<AmplifyAuthOptions['source']>().toEqualTypeOf<TokenSource | undefined>();
    // @ts-expect-error: a bare string is not an allow list
    typeOnly(() => installAmplifyAuth(axios.create(), { allow: 'https://api.example.com' }));
  });

  it('requires a source from /core only', () => {
    // @ts-expect-error: /core has no default source
    typeOnly(() => core.installAmplifyAuth(axios.create(), {}));
    expectTypeOf(installAmplifyAuth).parameter(1).toEqualTypeOf<AmplifyAuthOptions | undefined>();
  });

  it('accepts the real Amplify v6 and v5 objects without a cast', () => {
    typeOnly(() => expectTypeOf(fromFetchAuthSession(fetchAuthSession, Hub)).toEqualTypeOf<TokenSource>());
    typeOnly(() => expectTypeOf(fromCurrentSession(AuthV5, HubV5)).toEqualTypeOf<TokenSource>());
  });

  it('types the errors and the guard', () => {
    const error: unknown = new SessionEndedError('revoked');
    if (isAmplifyAuthError(error)) expectTypeOf(error.code).toEqualTypeOf<AmplifyAuthErrorCode>();
    expectTypeOf(new SessionEndedError('expired').reason).toEqualTypeOf<LogoutReason>();
    expectTypeOf(new SessionEndedError('expired').code).toEqualTypeOf<'SESSION_ENDED'>();
    expectTypeOf<TokenSource['getTokens']>().returns.toEqualTypeOf<Promise<SessionTokens | undefined>>();
  });
});

describe('types of the entries', () => {
  it("accepts /core's own options type in /core's installAmplifyAuth", () => {
    typeOnly(() => {
      const options: core.AmplifyAuthOptions = { source: fromFetchAuthSession(fetchAuthSession, Hub), tokenType: 'access' };
      return core.installAmplifyAuth(axios.create(), options);
    });
    expectTypeOf<core.AmplifyAuthOptions>().toHaveProperty('source').toEqualTypeOf<TokenSource>();
  });

  it('narrows an AmplifyAuthError on code, so that reason needs no cast', () => {
    typeOnly(() => {
      const error: unknown = new Error('x');
      if (isAmplifyAuthError(error) && error.code === 'SESSION_ENDED') {
        expectTypeOf(error.reason).toEqualTypeOf<LogoutReason>();
      }
      if (core.isSessionEndedError(error)) expectTypeOf(error).toEqualTypeOf<core.SessionEndedError>();
    });
    expectTypeOf<AmplifyAuthErrorCode>().toEqualTypeOf<'SESSION_ENDED' | 'SESSION_CHANGED' | 'REFRESH_FAILED' | 'REFRESH_TIMEOUT'>();
  });
});

describe('axios-amplify-auth/server types', () => {
  it("takes aws-amplify's own server-side fetchAuthSession and contextSpec without a type argument", () => {
    typeOnly(() => {
      const contextSpec = {} as AmplifyServer.ContextSpec;
      return installAmplifyAuth(axios.create(), { source: fromServerContext(serverFetchAuthSession, contextSpec) });
    });
  });
});
