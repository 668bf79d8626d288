import axios from 'axios';
import AxiosMockAdapter from 'axios-mock-adapter';
import { describe, expect, it } from 'vitest';
import { type AmplifyAuthEvents, installAmplifyAuth } from '../src/core.js';
import { FakeSession } from './support/fake-source.js';
import { createClient } from './support/client.js';

/** An instance whose mock replies only as each test says. */
function bareApi() {
  const api = axios.create({ baseURL: 'https://api.example.com' });
  return { api, mock: new AxiosMockAdapter(api) };
}

function signedIn() {
  const session = new FakeSession();
  session.signIn();
  return session;
}

describe('the skip event', () => {
  it('says why each request went without a token: not-allowed, opted-out, header-set, signed-out', async () => {
    const session = signedIn();
    const { server, auth } = createClient({ source: session.source });
    const skips: Array<AmplifyAuthEvents['skip']> = [];
    auth.on('skip', (payload) => skips.push(payload));
    await server.api.get('https://elsewhere.example.com/x').catch(() => {});
    await server.api.get('/opt', { amplifyAuth: { skip: true } }).catch(() => {});
    await server.api.get('/own', { headers: { Authorization: 'Basic abc' } }).catch(() => {});
    session.signOut();
    await server.api.get('/nobody').catch(() => {});
    await server.api.get('/nobody-again').catch(() => {});
    expect(skips).toEqual([
      { url: 'https://elsewhere.example.com/x', reason: 'not-allowed' },
      { url: 'https://api.example.com/opt', reason: 'opted-out' },
      { url: 'https://api.example.com/own', reason: 'header-set' },
      { url: 'https://api.example.com/nobody', reason: 'signed-out' },
      { url: 'https://api.example.com/nobody-again', reason: 'signed-out' },
    ]);
    // A request that carried a token is no skip.
    session.signIn();
    await server.api.get('/with-token');
    expect(skips).toHaveLength(5);
  });
});

describe('per-API allow entries', () => {
  it('sends each API the token, scheme and header its entry names; the first entry that matches decides', async () => {
    const session = signedIn();
    const server = bareApi();
    const seen: Array<Record<string, unknown>> = [];
    server.mock.onAny().reply((config) => {
      seen.push({ url: config.url, authorization: config.headers?.Authorization, xToken: config.headers?.['X-Token'] });
      return [200, {}];
    });
    installAmplifyAuth(server.api, {
      source: session.source,
      allow: [
        { url: 'https://rest.example.com/prod/', scheme: '' }, // REST API Cognito authorizer: the bare ID token
        { url: 'https://http.example.com', tokenType: 'access' }, // HTTP API JWT authorizer: Bearer <access token>
        { url: /^https:\/\/custom\.example\.com\//, header: 'X-Token', tokenType: 'access', scheme: 'Token' },
        'https://rest.example.com', // the rest of that origin: the install's defaults
      ],
    });
    const tokens = session.tokens!;
    await server.api.get('https://rest.example.com/prod/items');
    await server.api.get('https://http.example.com/items');
    await server.api.get('https://custom.example.com/items');
    await server.api.get('https://rest.example.com/other');
    await server.api.get('https://unlisted.example.com/items');
    expect(seen).toEqual([
      { url: 'https://rest.example.com/prod/items', authorization: tokens.idToken, xToken: undefined },
      { url: 'https://http.example.com/items', authorization: `Bearer ${tokens.accessToken}`, xToken: undefined },
      { url: 'https://custom.example.com/items', authorization: undefined, xToken: `Token ${tokens.accessToken}` },
      { url: 'https://rest.example.com/other', authorization: `Bearer ${tokens.idToken}`, xToken: undefined },
      { url: 'https://unlisted.example.com/items', authorization: undefined, xToken: undefined },
    ]);
  });

  it('rejects a malformed entry at install with a TypeError naming allow', () => {
    const session = signedIn();
    for (const allow of [
      [{ url: 5 }],
      [{ url: 'https://a.example.com', tokenType: 'refresh' }],
      [{ url: 'https://a.example.com', header: 'bad header' }],
      [{ url: 'https://a.example.com', extra: 1 }],
    ]) {
      expect(() => installAmplifyAuth(axios.create(), { source: session.source, allow: allow as never })).toThrow(
        expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('`allow`') }),
      );
    }
  });
});

describe('isRejected', () => {
  const unauthenticated = { errors: [{ message: 'Unauthorized', extensions: { code: 'UNAUTHENTICATED' } }] };

  it('refreshes and retries a GraphQL 200 that says UNAUTHENTICATED, judged on the parsed body', async () => {
    const session = signedIn();
    const server = bareApi();
    const first = session.serial;
    server.mock.onPost('/graphql').reply((config) => {
      const token = String(config.headers?.Authorization).slice(7);
      // A string body, as a real server sends it: the app's rule sees it parsed by transformResponse.
      return token === session.tokens?.idToken && session.serial > first
        ? [200, JSON.stringify({ data: { me: 'ok' } })]
        : [200, JSON.stringify(unauthenticated)];
    });
    installAmplifyAuth(server.api, {
      source: session.source,
      isRejected: (response) => (response.data as typeof unauthenticated).errors?.[0]?.extensions.code === 'UNAUTHENTICATED',
    });
    const response = await server.api.post('/graphql', { query: '{ me }' });
    expect(response.data).toEqual({ data: { me: 'ok' } });
    expect(session.refreshes).toBe(1);
  });

  it('refreshes and retries a 403 with a certain body, and leaves other 403s alone', async () => {
    const session = signedIn();
    const server = bareApi();
    const first = session.serial;
    server.mock.onGet('/expired').reply(() => (session.serial > first ? [200, { ok: true }] : [403, { message: 'Token expired' }]));
    server.mock.onGet('/forbidden').reply(403, { message: 'Not yours' });
    installAmplifyAuth(server.api, {
      source: session.source,
      isRejected: (response) => response.status === 403 && (response.data as { message?: string }).message === 'Token expired',
    });
    await expect(server.api.get('/expired')).resolves.toMatchObject({ status: 200 });
    await expect(server.api.get('/forbidden')).rejects.toMatchObject({ response: { status: 403 } });
    expect(session.refreshes).toBe(1);
  });

  it('is a TypeError together with statusCodes, or when it is not a function', () => {
    const session = signedIn();
    expect(() => installAmplifyAuth(axios.create(), { source: session.source, isRejected: () => false, statusCodes: [401] })).toThrow(
      TypeError,
    );
    expect(() => installAmplifyAuth(axios.create(), { source: session.source, isRejected: 'yes' as never })).toThrow(TypeError);
  });
});
