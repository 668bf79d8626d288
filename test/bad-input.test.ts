import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { installAmplifyAuth } from '../src/core.js';
import { createTestSource } from '../src/testing.js';
import { FakeSession } from './support/fake-source.js';

const source = new FakeSession().source;

describe('bad input is a TypeError at install, naming the option', () => {
  it.each([
    // eslint-disable-next-line no-sparse-arrays -- the hole is the point
    ['a hole first', [, 'https://api.example.com']],
    ['only holes', new Array(2)],
  ])('a sparse allow (%s)', (_name, allow) => {
    const api = axios.create();
    expect(() => installAmplifyAuth(api, { source, allow: allow as string[] })).toThrow(/`allow` must be/);
    expect(() => installAmplifyAuth(api, { source })).not.toThrow();
  });

  it.each(['Host', 'Cookie', 'Content-Length', 'transfer-encoding', 'Proxy-Authorization', 'Sec-Fetch-Mode', 'Content-Type'])(
    'a forbidden or framing header: %s (as `header` and in a per-API entry)',
    (header) => {
      expect(() => installAmplifyAuth(axios.create(), { source, header })).toThrow(/`header` must be a header name that is not/);
      expect(() => installAmplifyAuth(axios.create(), { source, allow: [{ url: 'https://api.example.com', header }] })).toThrow(
        /`allow` must be/,
      );
    },
  );

  it('still takes ordinary custom headers', () => {
    expect(() => installAmplifyAuth(axios.create(), { source, header: 'X-Api-Token' })).not.toThrow();
    expect(() =>
      installAmplifyAuth(axios.create(), { source, allow: [{ url: 'https://api.example.com', header: 'Authorization' }] }),
    ).not.toThrow();
  });
});

describe('createTestSource validates its options like the installer', () => {
  it.each([
    [{ lifetimeSeconds: Infinity }, /`lifetimeSeconds` must be/],
    [{ lifetimeSeconds: 0 }, /`lifetimeSeconds` must be/],
    [{ lifetimeSeconds: '60' }, /`lifetimeSeconds` must be/],
    [{ user: 42 }, /`user` must be a non-empty string or null/],
    [{ user: '' }, /`user` must be a non-empty string or null/],
    [{ clientId: 5 }, /`clientId` must be a non-empty string/],
    [{ clientID: 'x' }, /`clientID` must be one of/],
    ['alice', /`options` must be an object/],
    [null, /`options` must be an object/],
  ])('%o', (options, message) => {
    expect(() => createTestSource(options as never)).toThrow(TypeError);
    expect(() => createTestSource(options as never)).toThrow(message);
  });

  it('refuses a bad user at signIn', () => {
    const test = createTestSource();
    expect(() => test.signIn('' as string)).toThrow(/`signIn\(user\)` must be a non-empty string/);
    expect(test.signIn('bob').idToken).toMatch(/\./);
  });
});
