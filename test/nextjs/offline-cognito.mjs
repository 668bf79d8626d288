// Preloaded into the Next.js server under test (NODE_OPTIONS=--import): nothing leaves the machine.
// - The adapter's token check (aws-jwt-verify) fetches the pool's keys over https from
//   cognito-idp.<region>.amazonaws.com: such requests are answered in-process by the local
//   Cognito's JWKS on 127.0.0.1 (TEST_COGNITO_KEYS_ORIGIN), same path.
// - Any other request to a host that is not loopback fails at once (connection refused).
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import process from 'node:process';
import { URL } from 'node:url';

const keysOrigin = process.env.TEST_COGNITO_KEYS_ORIGIN;
if (!keysOrigin || !/^http:\/\/127\.0\.0\.1:\d+$/.test(keysOrigin))
  throw new Error('offline-cognito: TEST_COGNITO_KEYS_ORIGIN must be http://127.0.0.1:<port>');
const cognitoHost = /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/i;
const loopback = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const refused = 'http://127.0.0.1:9/'; // the discard port: nothing listens, the request fails locally

function log(message) {
  process.stdout.write(`[offline-cognito] ${message}\n`);
}

function target(args) {
  let url;
  let options;
  let callback;
  if (typeof args[0] === 'string' || args[0] instanceof URL) {
    url = new URL(args[0]);
    if (typeof args[1] === 'function') callback = args[1];
    else [, options, callback] = args;
  } else [options, callback] = args;
  const host = url ? url.hostname : String((options && (options.hostname || options.host)) || 'localhost').replace(/:\d+$/, '');
  const path = url ? url.pathname + url.search : (options && options.path) || '/';
  return { host, path, options: options || {}, callback };
}

const tlsAndTarget = new Set([
  'agent',
  'host',
  'hostname',
  'port',
  'protocol',
  'servername',
  'path',
  'ca',
  'cert',
  'key',
  'rejectUnauthorized',
]);
/** The request's options minus where it goes and how it would have done TLS. */
function plain(options) {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !tlsAndTarget.has(key)));
}

const originalRequest = https.request;
https.request = function request(...args) {
  const { host, path, options, callback } = target(args);
  if (cognitoHost.test(host)) {
    log(`https://${host}${path} answered from ${keysOrigin}${path}`);
    return http.request(new URL(path, keysOrigin), plain(options), callback);
  }
  if (!loopback.has(host)) {
    log(`refused https://${host}${path}: no network in the tests`);
    return http.request(refused, plain(options), callback);
  }
  return originalRequest.apply(this, args);
};
https.get = function get(...args) {
  const outgoing = https.request(...args);
  outgoing.end();
  return outgoing;
};
syncBuiltinESMExports();

const originalFetch = globalThis.fetch;
globalThis.fetch = function fetch(input, init) {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  if (cognitoHost.test(url.hostname)) {
    log(`fetch ${url.href} answered from ${keysOrigin}${url.pathname}`);
    return originalFetch(new URL(url.pathname + url.search, keysOrigin), init);
  }
  if (!loopback.has(url.hostname)) {
    log(`refused fetch ${url.href}: no network in the tests`);
    return Promise.reject(new TypeError(`offline-cognito: no network in the tests (${url.host})`));
  }
  return originalFetch(input, init);
};
