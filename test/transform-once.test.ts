import { describe, expect, it, vi } from 'vitest';
import { createClient } from './support/client.js';

/** The app's `transformResponse` runs once per response, as without the plugin, whatever `isRejected` needs. */
describe('isRejected and the app’s transformResponse', () => {
  it('runs the transform once for a response that is not rejected, and once for the retry of one that is', async () => {
    const transform = vi.fn((data: unknown) => (typeof data === 'string' ? JSON.parse(data) : data) as unknown);
    const { api, server, session } = createClient({ options: { isRejected: (response) => response.status === 401 } });
    server.once('/plain', () => [200, '{"ok":1}']);
    const plain = await api.get('/plain', { transformResponse: [transform] });
    expect([plain.data, transform.mock.calls.length]).toEqual([{ ok: 1 }, 1]);
    transform.mockClear();
    server.rejectCurrentTokens(session.serial);
    const retried = await api.get('/x', { transformResponse: [transform] });
    expect(retried.status).toBe(200);
    // Once to judge the 401, once for the retry's answer.
    expect(transform).toHaveBeenCalledTimes(2);
  });

  it('retries a 401 whose text body makes the transform throw, as statusCodes would', async () => {
    const { api, server, session } = createClient({ options: { isRejected: (response) => response.status === 401 } });
    server.rejectCurrentTokens(session.serial);
    server.once('/x', () => [401, 'Unauthorized']);
    const strict = (data: unknown): unknown => (typeof data === 'string' ? JSON.parse(data) : data);
    await expect(api.get('/x', { transformResponse: [strict] })).resolves.toMatchObject({ status: 200 });
    expect(session.refreshes).toBe(1);
  });

  it('throws the transform’s error once where axios would, for a response that is not rejected', async () => {
    const failing = vi.fn(() => {
      throw new SyntaxError('bad body');
    });
    const { api, server } = createClient({ options: { isRejected: () => false } });
    server.once('/x', () => [200, 'text']);
    await expect(api.get('/x', { transformResponse: [failing] })).rejects.toThrow('bad body');
    expect(failing).toHaveBeenCalledTimes(1);
  });
});
