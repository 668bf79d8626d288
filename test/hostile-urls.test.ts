import { describe, expect, it } from 'vitest';
import { carriesToken, type UrlCase } from './support/carries-token.js';

const base = 'https://api.example.com';

interface Case extends UrlCase {
  expected: boolean;
}

/** A corpus of tricky URLs, each judged on the URL axios really sends to. */
const corpus: Array<[string, Case]> = [
  // user info
  ['user info that names the API', { url: 'https://api.example.com@evil.com/', expected: false }],
  ['user and password that name the API', { url: 'https://api.example.com:443@evil.com/', expected: false }],
  ['user info on the API itself', { url: 'https://user@api.example.com/x', expected: true }],
  [
    'user info that names the API, against an allow RegExp',
    { url: 'https://api.example.com@evil.com/', allow: [/^https:\/\/api\.example\.com/], expected: false },
  ],
  // look-alike hosts
  ['the API as a subdomain of evil', { url: 'https://api.example.com.evil.com/', expected: false }],
  ['a trailing dot', { url: 'https://api.example.com./x', expected: false }],
  ['a sibling subdomain', { url: 'https://www.example.com/x', expected: false }],
  ['a child subdomain', { url: 'https://a.api.example.com/x', expected: false }],
  ['mixed-case host', { url: 'https://API.Example.COM/x', expected: true }],
  ['mixed-case scheme', { url: 'HTTPS://api.example.com/x', expected: true }],
  // IDN
  [
    'an IDN host given in Unicode, allowed by its punycode',
    { url: 'https://bücher.example/x', baseURL: 'https://xn--bcher-kva.example', expected: true },
  ],
  ['a look-alike IDN (Cyrillic а)', { url: 'https://аpi.example.com/x', expected: false }],
  ['punycode of a look-alike', { url: 'https://xn--pi-7kc.example.com/x', expected: false }],
  // IP literals
  ['IPv4 literal on the allowed origin', { url: 'http://127.0.0.1:8080/x', baseURL: 'http://127.0.0.1:8080', expected: true }],
  ['IPv4 in decimal form is the same host', { url: 'http://2130706433:8080/x', baseURL: 'http://127.0.0.1:8080', expected: true }],
  ['another IPv4', { url: 'http://127.0.0.2:8080/x', baseURL: 'http://127.0.0.1:8080', expected: false }],
  ['IPv6 literal on the allowed origin', { url: 'http://[::1]:8080/x', baseURL: 'http://[::1]:8080', expected: true }],
  ['IPv6 written longhand is the same host', { url: 'http://[0:0:0:0:0:0:0:1]:8080/x', baseURL: 'http://[::1]:8080', expected: true }],
  ['IPv4-mapped IPv6 is another host', { url: 'http://[::ffff:127.0.0.1]:8080/x', baseURL: 'http://127.0.0.1:8080', expected: false }],
  // ports and schemes
  ['the default port written out', { url: 'https://api.example.com:443/x', expected: true }],
  ['another port', { url: 'https://api.example.com:444/x', expected: false }],
  ['a downgrade to http', { url: 'http://api.example.com/x', expected: false }],
  ['http on port 443', { url: 'http://api.example.com:443/x', expected: false }],
  ['a websocket scheme', { url: 'wss://api.example.com/x', expected: false }],
  ['a javascript: URL', { url: 'javascript:alert(1)//api.example.com', baseURL: '', expected: false }],
  ['a data: URL', { url: 'data:text/plain,api.example.com', baseURL: '', expected: false }],
  // slashes and encoding
  ['protocol-relative', { url: '//evil.com/x', expected: false }],
  ['backslashes as slashes', { url: 'https:\\\\evil.com\\x', baseURL: '', expected: false }],
  ['a leading space before //', { url: ' //evil.com/x', baseURL: '', expected: false }],
  ['a tab inside the scheme', { url: 'ht\ttps://evil.com/x', baseURL: '', expected: false }],
  ['percent-encoded @ stays in the path', { url: '/%40evil.com/x', expected: true }],
  [
    'percent-encoded dot segments do not climb out of the allowed path',
    { url: 'https://api.example.com/v1/%2e%2e/admin', allow: ['https://api.example.com/v1/'], expected: false },
  ],
  [
    'an encoded slash is not a path boundary',
    { url: 'https://api.example.com/v1%2fx', allow: ['https://api.example.com/v1'], expected: false },
  ],
  [
    'dot segments are resolved before the path check',
    { url: 'https://api.example.com/v1/../v1/x', allow: ['https://api.example.com/v1/'], expected: true },
  ],
  [
    'a path prefix is a segment, not a string prefix',
    { url: 'https://api.example.com/v10', allow: ['https://api.example.com/v1'], expected: false },
  ],
  // absolute URLs and baseURL
  ['an absolute URL overriding baseURL', { url: 'https://evil.com/x', expected: false }],
  [
    'an absolute URL with allowAbsoluteUrls: false goes to the baseURL',
    { url: 'https://evil.com/x', allowAbsoluteUrls: false, expected: true },
  ],
  ['a relative URL on an evil baseURL', { url: '/x', baseURL: 'https://evil.com', allow: [base], expected: false }],
  ['a query that names the API', { url: 'https://evil.com/?next=https://api.example.com/', expected: false }],
  ['a fragment that names the API', { url: 'https://evil.com/#https://api.example.com/', expected: false }],
  [
    'a fragment that names the API, against an unanchored allow RegExp',
    { url: 'https://evil.com/#https://api.example.com/', allow: [/api\.example\.com\//], expected: false },
  ],
  [
    'a query that names the API, against an anchored allow RegExp',
    { url: 'https://evil.com/?https://api.example.com/', allow: [/^https:\/\/api\.example\.com\//], expected: false },
  ],
  ['a backslash scheme-relative reference with user info', { url: '/\\user@evil.com/x', baseURL: '', expected: false }],
  [
    'user info that names the API, against an allow path prefix',
    { url: 'https://api.example.com/v1/@evil.com', allow: ['https://api.example.com/v1/'], expected: true },
  ],
];

describe('hostile URLs', () => {
  it('has a corpus of at least 30 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  it.each(corpus)('%s', async (_name, testCase) => {
    expect(await carriesToken(testCase)).toBe(testCase.expected);
  });
});
