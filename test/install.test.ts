import axios from 'axios';
import AxiosMockAdapter from 'axios-mock-adapter';
import { describe, expect, it, vi } from 'vitest';
import { installAmplifyAuth } from '../src/core.js';
import { createApi } from './support/api.js';
import { FakeSession } from './support/fake-source.js';
import { issueTokens } from './support/jwt.js';
import { interceptorCount } from './support/interceptors.js';
import { createClient } from './support/client.js';

const source = { getTokens: async () => issueTokens(1) };

describe('install-time validation', () => {
  it.each([[undefined], [{}], [{ request() {} }], ['https://api.example.com']])(
    'rejects %j as the instance with a TypeError',
    (instance: unknown) => {
      expect(() => installAmplifyAuth(instance as never, { source })).toThrow(TypeError);
      expect(() => installAmplifyAuth(instance as never, { source })).toThrow(/instance/);
    },
  );

  const invalid: Array<[string, Record<string, unknown>]> = [
    ['source', { source: undefined }],
    ['source', { source: {} }],
    ['source', { source: { getTokens: 'no' } }],
    ['source.subscribe', { source: { getTokens: async () => undefined, subscribe: 1 } }],
    ['tokenType', { tokenType: 'refresh' }],
    ['header', { header: '' }],
    ['header', { header: 'Bad Header' }],
    ['header', { header: 42 }],
    ['scheme', { scheme: 'Bearer\r\nX-Injected: 1' }],
    ['scheme', { scheme: null }],
    ['allow', { allow: 'https://api.example.com' }],
    ['allow', { allow: [42] }],
    ['allow\\[0\\]', { allow: ['api.example.com'] }],
    ['allow\\[0\\]', { allow: ['https://user:pw@api.example.com'] }],
    ['allow\\[1\\]', { allow: ['https://api.example.com', 'https://api.example.com/?q=1'] }],
    ['allow\\[0\\]', { allow: ['/relative'] }],
    ['statusCodes', { statusCodes: [] }],
    ['statusCodes', { statusCodes: 401 }],
    ['statusCodes', { statusCodes: [99] }],
    ['statusCodes', { statusCodes: [401, 600] }],
    ['statusCodes', { statusCodes: [401.5] }],
    ['leewaySeconds', { leewaySeconds: -1 }],
    ['leewaySeconds', { leewaySeconds: Number.NaN }],
    ['leewaySeconds', { leewaySeconds: '60' }],
    ['refreshTimeoutMs', { refreshTimeoutMs: 0 }],
    ['refreshTimeoutMs', { refreshTimeoutMs: Number.POSITIVE_INFINITY }],
    ['refreshTimeoutMs', { refreshTimeoutMs: 2 ** 31 }],
    ['leeway', { leeway: 30 }],
    ['options', null as unknown as Record<string, unknown>],
  ];
  it.each(invalid)('throws a TypeError naming `%s`, and installs nothing', (name, options) => {
    const api = axios.create();
    const call = () => installAmplifyAuth(api, options === null ? (null as never) : ({ source, ...options } as never));
    expect(call).toThrow(TypeError);
    expect(call).toThrow(new RegExp(`\`${name}\``));
    expect(interceptorCount(api)).toBe(0);
  });

  it('accepts every option at its documented type', () => {
    const api = axios.create();
    expect(() =>
      installAmplifyAuth(api, {
        source,
        tokenType: 'access',
        header: 'X-Amz-Auth',
        scheme: '',
        allow: ['https://api.example.com/v1/', /^https:\/\/x\./, 'https://other.example.com'],
        statusCodes: [401, 403],
        leewaySeconds: 0,
        refreshTimeoutMs: 500,
      }),
    ).not.toThrow();
  });

  it('refuses a second install on one instance, and allows one after uninstall', () => {
    const api = axios.create();
    const auth = installAmplifyAuth(api, { source });
    expect(() => installAmplifyAuth(api, { source })).toThrow(TypeError);
    auth.uninstall();
    expect(() => installAmplifyAuth(api, { source })).not.toThrow();
  });

  it('rejects an unknown event name or a listener that is not a function', () => {
    const auth = installAmplifyAuth(axios.create(), { source });
    expect(() => auth.on('signOut' as never, () => {})).toThrow(TypeError);
    expect(() => auth.on('logout', 'nope' as never)).toThrow(TypeError);
  });

  it('leaves nothing installed when the source’s subscribe throws', () => {
    const api = axios.create();
    const bad = {
      getTokens: source.getTokens,
      subscribe: () => {
        throw new TypeError('nope');
      },
    };
    expect(() => installAmplifyAuth(api, { source: bad })).toThrow('nope');
    expect(interceptorCount(api)).toBe(0);
    expect(() => installAmplifyAuth(api, { source })).not.toThrow();
  });
});

describe('uninstall', () => {
  it('leaves the instance as before: no interceptor, no header, no retry, no subscription', async () => {
    const session = new FakeSession();
    session.signIn();
    const server = createApi();
    const before = interceptorCount(server.api);
    const auth = installAmplifyAuth(server.api, { source: session.source });
    const listener = vi.fn();
    auth.on('logout', listener);
    expect(session.listeners.size).toBe(1);
    auth.uninstall();
    auth.uninstall();
    expect(interceptorCount(server.api)).toBe(before);
    expect(session.listeners.size).toBe(0);
    session.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    await expect(server.api.get('/x')).rejects.toMatchObject({ response: { status: 401 } });
    expect(server.attempts).toEqual([{ url: '/x', authorization: undefined }]);
    expect(session.reads + session.refreshes).toBe(0);
    expect(listener).not.toHaveBeenCalled();
  });

  it('lets a request already under way finish untouched, and calls no listener', async () => {
    const { session, server, auth } = createClient();
    const refresh = vi.fn();
    auth.on('refresh', refresh);
    server.rejectCurrentTokens(session.serial);
    server.once('/x', async () => {
      auth.uninstall();
      return [401, {}];
    });
    await expect(server.api.get('/x')).rejects.toMatchObject({ response: { status: 401 } });
    expect(session.refreshes).toBe(0);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('keeps the other instances of the source working', async () => {
    const session = new FakeSession();
    session.signIn();
    const a = createApi();
    const b = createApi();
    installAmplifyAuth(a.api, { source: session.source }).uninstall();
    installAmplifyAuth(b.api, { source: session.source });
    b.rejectCurrentTokens(session.serial);
    await expect(b.api.get('/x')).resolves.toMatchObject({ status: 200 });
    expect(session.listeners.size).toBe(1);
  });
});

describe('coexisting with other interceptors', () => {
  it('retries with the fresh token even when another interceptor copies the config', async () => {
    const { session, server } = createClient();
    // Runs after ours (axios runs request interceptors last-added first) and replaces the config.
    server.api.interceptors.request.use((config) => ({ ...config }));
    server.rejectCurrentTokens(session.serial);
    await expect(server.api.get('/x')).resolves.toMatchObject({ status: 200 });
    expect(server.attemptsOf('/x')).toHaveLength(2);
  });

  it('renews its own header when another plugin replays the request config', async () => {
    const session = new FakeSession();
    session.signIn();
    const api = axios.create({ baseURL: 'https://api.example.com' });
    const seen: unknown[] = [];
    new AxiosMockAdapter(api).onAny().reply((config) => {
      seen.push(config.headers?.Authorization);
      return [200, {}];
    });
    installAmplifyAuth(api, { source: session.source });
    const first = await api.get('/x');
    session.refreshElsewhere();
    await api.request(first.config);
    expect(seen[0]).not.toEqual(seen[1]);
    expect(seen[1]).toBe(`Bearer ${session.tokens?.idToken}`);
  });
});
