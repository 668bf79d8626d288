import { describe, expect, it } from 'vitest';
import { createClient } from './support/client.js';
import { serialOf } from './support/jwt.js';
import { gate, until } from './support/time.js';

describe('401 → one refresh → retry once', () => {
  it('retries once with a refreshed token after a 401', async () => {
    const { session, server, api } = createClient();
    server.rejectCurrentTokens(session.serial);
    const response = await api.get('/items');
    expect(response.status).toBe(200);
    expect(session.refreshes).toBe(1);
    const attempts = server.attemptsOf('/items').map((a) => serialOf(a.authorization!.slice(7)));
    expect(attempts).toEqual([1, 2]);
  });

  for (const subscribe of [true, false]) {
    it(`answers 50 concurrent 401s with one refresh and 50 successes (subscribe: ${subscribe})`, async () => {
      const { session, server, api } = createClient({ subscribe });
      await api.get('/warm-up');
      server.rejectCurrentTokens(session.serial);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => api.get(`/r/${i}`)));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(session.refreshes).toBe(1);
      for (let i = 0; i < 50; i++) expect(server.attemptsOf(`/r/${i}`).length).toBeLessThanOrEqual(2);
    });
  }

  it('shares one refresh between two instances on one source', async () => {
    const { session, server: a } = createClient();
    const { server: b } = createClient({ session });
    a.rejectCurrentTokens(session.serial);
    b.rejectCurrentTokens(session.serial);
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => a.api.get(`/a/${i}`)),
      ...Array.from({ length: 10 }, (_, i) => b.api.get(`/b/${i}`)),
    ]);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(session.refreshes).toBe(1);
  });

  for (const subscribe of [true, false]) {
    it(`retries a 401 that arrives after the refresh finished with the newer token, without a second refresh (${subscribe ? 'subscribe' : 'no subscribe: read again'})`, async () => {
      const { session, server, api } = createClient({ subscribe });
      server.rejectCurrentTokens(session.serial);
      // The slow request leaves with token 1 and is answered only after the fast one has refreshed.
      const slowAnswer = gate();
      server.once('/slow', async () => (await slowAnswer.opened, [401, {}]));
      const slow = api.get('/slow');
      await until(() => server.attemptsOf('/slow').length === 1, 'the slow request left');
      await api.get('/fast');
      expect(session.refreshes).toBe(1);
      slowAnswer.open();
      expect((await slow).status).toBe(200);
      expect(session.refreshes).toBe(1);
    });
  }

  it('rejects with the retry’s AxiosError when the retry is rejected too, and tries no third time', async () => {
    const { session, server, api } = createClient();
    server.acceptFrom = Infinity;
    const error = await api.get('/never').catch((e: unknown) => e);
    expect(error).toMatchObject({ isAxiosError: true, response: { status: 401 } });
    expect(server.attemptsOf('/never')).toHaveLength(2);
    expect(session.refreshes).toBe(1);
    expect((error as { config: { headers: { Authorization: string } } }).config.headers.Authorization).toMatch(/^Bearer /);
  });

  it('never retries and never refreshes for a request that carried no token', async () => {
    const { session, server, api } = createClient();
    session.signOut();
    const error = await api.get('/anonymous').catch((e: unknown) => e);
    expect(error).toMatchObject({ response: { status: 401 } });
    expect(server.attemptsOf('/anonymous')).toEqual([{ url: '/anonymous', authorization: undefined }]);
    expect(session.refreshes).toBe(0);
  });

  it('never retries a skipped request', async () => {
    const { session, server, api } = createClient();
    const error = await api.get('/skipped', { amplifyAuth: { skip: true } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ response: { status: 401 } });
    expect(server.attemptsOf('/skipped')).toEqual([{ url: '/skipped', authorization: undefined }]);
    expect(session.refreshes).toBe(0);
  });

  it('never retries a request to a URL that may not have the token', async () => {
    const { session, server, api } = createClient();
    const error = await api.get('https://other.example.com/x').catch((e: unknown) => e);
    expect(error).toMatchObject({ response: { status: 401 } });
    expect(server.attempts).toEqual([{ url: 'https://other.example.com/x', authorization: undefined }]);
    expect(session.refreshes).toBe(0);
  });

  it('does not retry a request whose body is a stream', async () => {
    const { Readable } = await import('node:stream');
    const { session, server, api } = createClient();
    server.rejectCurrentTokens(session.serial);
    const error = await api.post('/upload', Readable.from(['a', 'b'])).catch((e: unknown) => e);
    expect(error).toMatchObject({ response: { status: 401 } });
    expect(server.attemptsOf('/upload')).toHaveLength(1);
  });

  it('retries a JSON body with the same body', async () => {
    const { session, server, api } = createClient();
    const bodies: unknown[] = [];
    const record = (status: number) => (config: { data?: unknown }) => {
      bodies.push(config.data);
      return [status, {}] as [number, unknown];
    };
    server.once('/json', record(401));
    server.once('/json', record(200));
    await api.post('/json', { a: 1 });
    expect(session.refreshes).toBe(1);
    expect(bodies).toEqual(['{"a":1}', '{"a":1}']);
  });

  it('retries on the configured statusCodes only', async () => {
    const { session, server } = createClient({ options: { statusCodes: [401, 419] } });
    server.once('/419', () => [419, {}]);
    server.once('/403', () => [403, {}]);
    await expect(server.api.get('/419')).resolves.toMatchObject({ status: 200 });
    await expect(server.api.get('/403')).rejects.toMatchObject({ response: { status: 403 } });
    expect(session.refreshes).toBe(1);
  });
});
