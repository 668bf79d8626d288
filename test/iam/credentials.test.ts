import { describe, expect, it } from 'vitest';
import { isSessionEndedError } from '../../src/errors.js';
import {
  expiresWithin,
  type FetchAuthSessionCredentials,
  fromAmplifyCredentials,
  fromCredentialsProvider,
  toAwsCredentials,
} from '../../src/iam/credentials.js';

const valid = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'secret',
  sessionToken: 'token',
  expiration: new Date('2030-01-01T00:00:00Z'),
};

describe('toAwsCredentials', () => {
  it('keeps valid credentials, as a copy, and normalizes expiration', () => {
    const credentials = toAwsCredentials(valid);
    expect(credentials).toEqual(valid);
    expect(credentials.expiration).not.toBe(valid.expiration);
    expect(toAwsCredentials({ ...valid, expiration: '2030-01-01T00:00:00Z' }).expiration).toEqual(valid.expiration);
    expect(toAwsCredentials({ ...valid, expiration: valid.expiration.getTime() }).expiration).toEqual(valid.expiration);
    expect(toAwsCredentials({ accessKeyId: 'AKIA', secretAccessKey: 's' })).toEqual({ accessKeyId: 'AKIA', secretAccessKey: 's' });
  });

  it.each([
    [undefined, /answered undefined/],
    [null, /answered null/],
    ['AKIA:secret', /answered a string/],
    [{ ...valid, accessKeyId: '' }, /accessKeyId as an empty string/],
    [{ ...valid, accessKeyId: 42 }, /accessKeyId as number/],
    [{ ...valid, secretAccessKey: undefined }, /secretAccessKey as undefined/],
    [{ ...valid, sessionToken: '' }, /sessionToken as an empty string/],
    [{ ...valid, sessionToken: null }, /sessionToken as null/],
    [{ ...valid, expiration: 1_900_000_000 }, /looks like seconds since the epoch/],
    [{ ...valid, expiration: 'tomorrow' }, /an invalid expiration \(tomorrow\)/],
    [{ ...valid, expiration: new Date(NaN) }, /an invalid expiration/],
    [{ ...valid, expiration: {} }, /expiration as object/],
  ])('refuses %j with a TypeError that says what is wrong', (value, message) => {
    expect(() => toAwsCredentials(value, 'options.credentials()')).toThrow(TypeError);
    expect(() => toAwsCredentials(value, 'options.credentials()')).toThrow(message);
    expect(() => toAwsCredentials(value, 'options.credentials()')).toThrow(/^axios-amplify-auth\/iam: options\.credentials\(\) answered/);
  });
});

describe('expiresWithin', () => {
  const now = Date.UTC(2030, 0, 1);
  it('is true inside the leeway and after expiry, false before, and never without expiration', () => {
    const credentials = toAwsCredentials({ ...valid, expiration: now + 60_000 });
    expect(expiresWithin(credentials, 59_999, now)).toBe(false);
    expect(expiresWithin(credentials, 60_000, now)).toBe(true);
    expect(expiresWithin(credentials, 0, now + 60_000)).toBe(true);
    expect(expiresWithin(credentials, 0, now + 120_000)).toBe(true);
    expect(expiresWithin({ accessKeyId: 'a', secretAccessKey: 'b' }, Infinity, now)).toBe(false);
  });
});

describe('fromAmplifyCredentials', () => {
  function fake(answers: Array<Awaited<ReturnType<FetchAuthSessionCredentials>> | Error>) {
    const calls: Array<{ forceRefresh?: boolean } | undefined> = [];
    const fetchAuthSession: FetchAuthSessionCredentials = async (options) => {
      calls.push(options);
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next ?? {};
    };
    return { fetchAuthSession, calls };
  }

  it('maps credentials, identity and user; no credentials is undefined; forceRefresh is passed on', async () => {
    const { fetchAuthSession, calls } = fake([
      { credentials: valid, identityId: 'eu-west-1:abc', userSub: 'sub-1' },
      { credentials: valid, identityId: 'eu-west-1:guest' },
      {},
    ]);
    const source = fromAmplifyCredentials(fetchAuthSession);
    expect(await source.getCredentials({ forceRefresh: false })).toEqual({
      credentials: valid,
      identityId: 'eu-west-1:abc',
      userSub: 'sub-1',
    });
    expect(await source.getCredentials({ forceRefresh: true })).toEqual({
      credentials: valid,
      identityId: 'eu-west-1:guest',
      userSub: undefined,
    });
    expect(await source.getCredentials({ forceRefresh: false })).toBeUndefined();
    expect(calls).toEqual([{}, { forceRefresh: true }, {}]);
  });

  it('with clearCredentials, a forced read clears and reads plainly', async () => {
    const { fetchAuthSession, calls } = fake([{ credentials: valid }]);
    let cleared = 0;
    const source = fromAmplifyCredentials(fetchAuthSession, { clearCredentials: async () => void cleared++ });
    await source.getCredentials({ forceRefresh: true });
    expect({ cleared, calls }).toEqual({ cleared: 1, calls: [undefined] });
  });

  it('a NotAuthorizedException ends the session; other errors pass through; malformed credentials are a TypeError', async () => {
    const notAuthorized = Object.assign(new Error("Access to Identity 'x' is forbidden."), { name: 'NotAuthorizedException' });
    const network = Object.assign(new Error('Network error'), { name: 'NetworkError' });
    const { fetchAuthSession } = fake([notAuthorized, network, { credentials: { accessKeyId: 'a' } as never }]);
    const source = fromAmplifyCredentials(fetchAuthSession);
    const ended = await source.getCredentials({ forceRefresh: true }).catch((e: unknown) => e);
    expect(isSessionEndedError(ended)).toBe(true);
    expect(ended).toMatchObject({ reason: 'session-ended', cause: notAuthorized });
    await expect(source.getCredentials({ forceRefresh: false })).rejects.toBe(network);
    await expect(source.getCredentials({ forceRefresh: false })).rejects.toThrow(
      /fetchAuthSession\(\) answered secretAccessKey as undefined/,
    );
  });

  it('refuses what is not a function', () => {
    expect(() => fromAmplifyCredentials(undefined as never)).toThrow(TypeError);
    expect(() => fromAmplifyCredentials(async () => ({}), { clearCredentials: 'no' as never })).toThrow(/clearCredentials/);
  });
});

describe('fromCredentialsProvider', () => {
  it('asks the provider every time and checks its answer', async () => {
    let calls = 0;
    const source = fromCredentialsProvider(async () => (++calls === 3 ? { nope: true } : calls === 2 ? undefined : valid));
    expect(await source.getCredentials({ forceRefresh: false })).toEqual({ credentials: valid, identityId: undefined, userSub: undefined });
    expect(await source.getCredentials({ forceRefresh: true })).toBeUndefined();
    await expect(source.getCredentials({ forceRefresh: true })).rejects.toThrow(
      /options\.credentials\(\) answered accessKeyId as undefined/,
    );
  });
});
