import { describe, expect, it, vi } from 'vitest';
import { logoutReasonOf } from '../src/adapters/cognito-errors.js';
import { fromCurrentSession, fromFetchAuthSession, SessionEndedError } from '../src/core.js';
import { createClient } from './support/client.js';
import { cognitoError, FakeAmplifyV6 } from './support/fake-amplify.js';
import { issueTokens, serialOf } from './support/jwt.js';

describe('Cognito error → logout reason', () => {
  it.each([
    ['NotAuthorizedException', 'Refresh Token has been revoked', 'revoked'],
    ['NotAuthorizedException', 'Refresh Token has expired', 'expired'],
    ['NotAuthorizedException', 'User is disabled.', 'user-disabled'],
    ['NotAuthorizedException', 'Invalid Refresh Token.', 'session-ended'],
    ['NotAuthorizedException', 'User not authorized', 'session-ended'],
    ['TokenRevokedException', 'revoked', 'revoked'],
    ['UserNotFoundException', 'User does not exist.', 'user-not-found'],
    ['PasswordResetRequiredException', 'Password reset required', 'password-reset-required'],
    ['UserNotConfirmedException', 'User is not confirmed.', 'user-not-confirmed'],
    ['RefreshTokenReuseException', 'reused', 'refresh-token-reused'],
  ])('%s “%s” → %s', (name, message, reason) => {
    expect(logoutReasonOf(cognitoError(name, message))).toBe(reason);
  });

  it.each(['NetworkError', 'TooManyRequestsException', 'InternalErrorException', 'ServiceUnavailable', 'TypeError', 'toString'])(
    '%s is transient',
    (name) => {
      expect(logoutReasonOf(cognitoError(name))).toBeUndefined();
    },
  );

  it('reads v5’s `code` when there is no useful name', () => {
    expect(logoutReasonOf({ code: 'UserNotFoundException', message: 'x' })).toBe('user-not-found');
    expect(logoutReasonOf('No current user')).toBeUndefined();
  });
});

describe('fromFetchAuthSession (Amplify v6)', () => {
  function setup() {
    const amplify = new FakeAmplifyV6();
    // Amplify merges only overlapping refreshes: without that help, one refresh is this plugin's doing.
    amplify.dedupe = false;
    amplify.signIn();
    const client = createClient({ source: fromFetchAuthSession(amplify.fetchAuthSession, amplify.Hub) });
    return { amplify, ...client, logout: client.events.logout, refreshError: client.events.refreshError };
  }

  it('retries 30 concurrent 401s after one refresh', async () => {
    const { amplify, server, api } = setup();
    await api.get('/warm');
    server.rejectCurrentTokens(amplify.currentSerial);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => api.get(`/r/${i}`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(amplify.refreshCalls).toBe(1);
  });

  it('turns a revoked refresh token, which v6 resolves without tokens, into logout with the Hub’s reason', async () => {
    const { amplify, server, api, logout } = setup();
    amplify.refreshError = cognitoError('NotAuthorizedException', 'Refresh Token has been revoked');
    server.rejectCurrentTokens(amplify.currentSerial);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => api.get(`/r/${i}`)));
    for (const result of results) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({ name: 'SessionEndedError', reason: 'revoked' });
    }
    expect(logout).toHaveBeenCalledTimes(1);
    expect(logout.mock.calls[0]?.[0]).toMatchObject({ reason: 'revoked', error: { name: 'NotAuthorizedException' } });
    expect(amplify.refreshCalls).toBe(1);
  });

  it('turns an authentication error that v6 throws into logout with its reason', async () => {
    const { amplify, server, api, logout } = setup();
    amplify.refreshError = cognitoError('UserNotFoundException', 'User does not exist.');
    server.rejectCurrentTokens(amplify.currentSerial);
    await expect(api.get('/x')).rejects.toBeInstanceOf(SessionEndedError);
    expect(logout).toHaveBeenCalledWith(expect.objectContaining({ reason: 'user-not-found' }));
  });

  it('keeps the session on a transient error and recovers after it', async () => {
    const { amplify, server, api, logout, refreshError } = setup();
    amplify.refreshError = cognitoError('NetworkError', 'Network error');
    server.rejectCurrentTokens(amplify.currentSerial);
    await expect(api.get('/x')).rejects.toMatchObject({ code: 'REFRESH_FAILED', cause: { name: 'NetworkError' } });
    expect(refreshError).toHaveBeenCalledTimes(1);
    expect(logout).not.toHaveBeenCalled();
    amplify.refreshError = undefined;
    await expect(api.get('/y')).resolves.toMatchObject({ status: 200 });
  });

  it('sends no token after the app signs out, and fires no logout', async () => {
    const { amplify, server, api, logout } = setup();
    await api.get('/before');
    amplify.signOut();
    await api.get('/after').catch(() => {});
    expect(server.attemptsOf('/after')[0]?.authorization).toBeUndefined();
    expect(logout).not.toHaveBeenCalled();
  });

  it('keeps the token in memory with Hub, and picks up a sign-in reported on Hub', async () => {
    const amplify = new FakeAmplifyV6();
    amplify.signIn();
    const spy = vi.fn(amplify.fetchAuthSession);
    const { server } = createClient({ source: fromFetchAuthSession(spy, amplify.Hub) });
    for (let i = 0; i < 5; i++) await server.api.get(`/${i}`);
    expect(spy).toHaveBeenCalledTimes(1);
    amplify.signOut();
    amplify.signIn();
    await server.api.get('/new');
    expect(serialOf(server.attemptsOf('/new')[0]!.authorization!.slice(7))).toBe(2);
  });

  it('without Hub, asks on every request and still ends the session on a forced refresh without tokens', async () => {
    const amplify = new FakeAmplifyV6();
    amplify.signIn();
    const { server, events } = createClient({ source: fromFetchAuthSession(amplify.fetchAuthSession) });
    const logout = events.logout;
    amplify.refreshError = cognitoError('NotAuthorizedException', 'Refresh Token has been revoked');
    server.rejectCurrentTokens(amplify.currentSerial);
    await expect(server.api.get('/x')).rejects.toMatchObject({ reason: 'session-ended' });
    expect(logout).toHaveBeenCalledTimes(1);
  });

  it('listens on Hub only while installed or asking', async () => {
    const { amplify, api, auth } = setup();
    await api.get('/x');
    expect(amplify.hubListeners).toBe(1);
    auth.uninstall();
    expect(amplify.hubListeners).toBe(0);
  });

  it('rejects what is not fetchAuthSession or Hub with a TypeError', () => {
    expect(() => fromFetchAuthSession('x' as never)).toThrow(TypeError);
    expect(() => fromFetchAuthSession(async () => ({}), {} as never)).toThrow(TypeError);
  });
});

/** Amplify v5's `Auth` and `CognitoUser` (amazon-cognito-identity-js) as far as the adapter uses them: `currentSession`, `currentAuthenticatedUser`, `refreshSession(token, callback)`. */
function fakeAuthV5() {
  let serial = 1;
  let signedIn = true;
  let refreshError: unknown;
  const session = () => {
    const tokens = issueTokens(serial);
    return {
      getIdToken: () => ({ getJwtToken: () => tokens.idToken }),
      getAccessToken: () => ({ getJwtToken: () => tokens.accessToken }),
      getRefreshToken: () => ({ token: `refresh-${serial}` }),
    };
  };
  const user = {
    refreshSession: vi.fn((refreshToken: unknown, callback: (error: unknown, session: unknown) => void) => {
      setTimeout(() => {
        if (refreshError) return callback(refreshError, undefined);
        expect(refreshToken).toEqual({ token: `refresh-${serial}` });
        serial += 1;
        callback(null, session());
      }, 5);
    }),
  };
  const Auth = {
    currentSession: vi.fn(async () => {
      if (!signedIn) throw 'No current user';
      return session();
    }),
    currentAuthenticatedUser: vi.fn(async () => {
      if (!signedIn) throw 'The user is not authenticated';
      return user;
    }),
  };
  return {
    Auth,
    user,
    get serial() {
      return serial;
    },
    signOut: () => {
      signedIn = false;
    },
    failRefreshWith: (error: unknown) => {
      refreshError = error;
    },
  };
}

describe('fromCurrentSession (Amplify v5)', () => {
  it('attaches the session’s ID token and refreshes through user.refreshSession after a 401', async () => {
    const v5 = fakeAuthV5();
    const { server } = createClient({ source: fromCurrentSession(v5.Auth) });
    server.rejectCurrentTokens(v5.serial);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => server.api.get(`/r/${i}`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(v5.user.refreshSession).toHaveBeenCalledTimes(1);
  });

  it('ends the session with v5’s NotAuthorizedException and its reason', async () => {
    const v5 = fakeAuthV5();
    const { server, events } = createClient({ source: fromCurrentSession(v5.Auth) });
    const logout = events.logout;
    v5.failRefreshWith({ code: 'NotAuthorizedException', name: 'NotAuthorizedException', message: 'Refresh Token has expired' });
    server.rejectCurrentTokens(v5.serial);
    await expect(server.api.get('/x')).rejects.toMatchObject({ reason: 'expired' });
    expect(logout).toHaveBeenCalledWith(expect.objectContaining({ reason: 'expired' }));
  });

  it('sends no token when nobody is signed in (v5 rejects with a string)', async () => {
    const v5 = fakeAuthV5();
    v5.signOut();
    const { server } = createClient({ source: fromCurrentSession(v5.Auth) });
    await server.api.get('/x').catch(() => {});
    expect(server.attempts[0]?.authorization).toBeUndefined();
  });

  it('keeps a network error transient', async () => {
    const v5 = fakeAuthV5();
    const { server } = createClient({ source: fromCurrentSession(v5.Auth) });
    v5.failRefreshWith({ code: 'NetworkError', name: 'NetworkError', message: 'Network error' });
    server.rejectCurrentTokens(v5.serial);
    await expect(server.api.get('/x')).rejects.toMatchObject({ code: 'REFRESH_FAILED' });
  });

  it('rejects what is not v5’s Auth with a TypeError', () => {
    expect(() => fromCurrentSession({} as never)).toThrow(TypeError);
  });
});
