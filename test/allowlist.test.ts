import { describe, expect, it } from 'vitest';
import type { AmplifyAuthOptions } from '../src/types.js';
import { carriesToken as sends } from './support/carries-token.js';

/** Whether `url` carries the token from an instance on https://api.example.com (or `baseURL`). */
const carriesToken = (
  url: string,
  options: { baseURL?: string; allow?: AmplifyAuthOptions['allow']; requestBaseURL?: string; allowAbsoluteUrls?: boolean } = {},
) => sends({ url, ...options });

describe('where tokens go by default', () => {
  it.each(['/items', 'items', 'https://api.example.com/items', 'HTTPS://API.EXAMPLE.COM/items', 'https://api.example.com:443/items'])(
    'sends the token to %s (relative or on the baseURL’s origin)',
    async (url) => {
      expect(await carriesToken(url)).toBe(true);
    },
  );

  it.each([
    'https://api.example.com.evil.com/x',
    'https://api.example.com@evil.com/x',
    'https://evil.com/https://api.example.com/',
    '//evil.com/x',
    'http://api.example.com/x',
    'https://api.example.com:8443/x',
    'https://api.example.com./x',
    'https://sub.api.example.com/x',
    'ftp://api.example.com/x',
  ])('sends no token to %s', async (url) => {
    expect(await carriesToken(url)).toBe(false);
  });

  it('judges a request’s own baseURL, as axios sends it', async () => {
    expect(await carriesToken('/x', { requestBaseURL: 'https://evil.com' })).toBe(false);
  });

  it('judges the combined URL when allowAbsoluteUrls is false', async () => {
    expect(await carriesToken('https://evil.com/x', { allowAbsoluteUrls: false })).toBe(true);
  });

  it.each(['https:/\\evil.com/x', ' //evil.com/x', '\\\\evil.com/x', 'https://evil.com'])(
    'parses %j as a browser would, without a baseURL: no token',
    async (url) => {
      expect(await carriesToken(url, { baseURL: '' })).toBe(false);
    },
  );

  it('sends relative URLs the token when the instance has no baseURL', async () => {
    expect(await carriesToken('/x', { baseURL: '' })).toBe(true);
  });
});

describe('allow', () => {
  const v1 = ['https://api.example.com/v1/'];
  it.each([
    ['https://api.example.com/v1/', v1, true],
    ['https://api.example.com/v1/users', v1, true],
    ['https://api.example.com/v1', v1, false],
    ['https://api.example.com/v10/x', v1, false],
    ['https://api.example.com/v1/../admin', v1, false],
    ['https://api.example.com/v1', ['https://api.example.com/v1'], true],
    ['https://api.example.com/v1/x', ['https://api.example.com/v1'], true],
    ['https://api.example.com/v10', ['https://api.example.com/v1'], false],
    ['https://api.example.com/v1-x', ['https://api.example.com/v1'], false],
    ['https://other.example.com/x', ['https://api.example.com', 'https://other.example.com'], true],
    ['https://api.example.com/x', ['https://other.example.com'], false],
  ] as const)('%s with %j → %s', async (url, allow, expected) => {
    expect(await carriesToken(url, { allow })).toBe(expected);
  });

  it('tests a RegExp against the full resolved URL, the same way every time (a g flag keeps no state)', async () => {
    const allow = [/^https:\/\/[a-z]+\.example\.com\//g];
    expect(await carriesToken('/x', { allow })).toBe(true);
    expect(await carriesToken('/x', { allow })).toBe(true);
    expect(await carriesToken('https://evil.com/x', { allow })).toBe(false);
  });

  it('does not let user info pass a RegExp', async () => {
    expect(await carriesToken('https://api.example.com@evil.com/', { allow: [/^https:\/\/api\.example\.com/] })).toBe(false);
  });

  it('gives a function the resolved URL parsed', async () => {
    const seen: string[] = [];
    const allow = (url: URL) => {
      seen.push(url.href);
      return url.hostname === 'api.example.com';
    };
    expect(await carriesToken('/x?y=1', { allow })).toBe(true);
    expect(await carriesToken('https://evil.com/', { allow })).toBe(false);
    expect(seen).toEqual(['https://api.example.com/x?y=1', 'https://evil.com/']);
  });

  it('replaces the default entirely', async () => {
    expect(await carriesToken('/x', { allow: ['https://other.example.com'] })).toBe(false);
  });
});
