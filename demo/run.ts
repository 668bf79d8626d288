// `npm run demo`: axios-amplify-auth against a real Amplify v6 and a local Cognito, narrated.
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn } from 'aws-amplify/auth';
import { ConsoleLogger } from 'aws-amplify/utils';
import axios from 'axios';
import { installAmplifyAuth, isAmplifyAuthError, SessionEndedError } from 'axios-amplify-auth';
import { startLocalWorld } from '../test/harness/world.js';
import { bold, check, DemoFailure, dim, red, say, step, suffix, wire, wireSummary } from './narrate.js';

ConsoleLogger.LOG_LEVEL = 'ERROR'; // Amplify warns about the custom (local) Cognito endpoint
const TOKEN_SECONDS = 16; // short-lived tokens, so that expiry happens during the demo
const started = Date.now();

say(bold('axios-amplify-auth demo'));
say(dim('Starting a local Cognito (cognito-local) and an API that verifies Cognito ID tokens (RS256, JWKS)…'));
const world = await startLocalWorld({ tokenSeconds: TOKEN_SECONDS });
const { cognito, api: server } = world;
const seenFrom = (index: number) => server.requests.slice(index);
// Each request the API answers is printed as it happens, except in step 5's crowd.
let printRequests = true;
server.onRequest((request) => printRequests && wire(request));

try {
  say(dim(`   Cognito ${cognito.endpoint}   API ${server.url}`));

  step(1, 'Sign in with Amplify v6, then install the plugin with no options');
  Amplify.configure(world.amplifyConfig);
  await signIn({ username: cognito.username, password: cognito.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  const api = axios.create({ baseURL: server.url });
  const auth = installAmplifyAuth(api);
  const events: string[] = [];
  auth.on('refresh', ({ trigger }) => {
    events.push(`refresh:${trigger}`);
    say(`   ${dim('event')}  refresh  { trigger: '${trigger}' }`);
  });
  auth.on('logout', ({ reason }) => {
    events.push(`logout:${reason}`);
    say(`   ${dim('event')}  logout   { reason: '${reason}' }`);
  });
  const idToken = (await fetchAuthSession()).tokens?.idToken?.toString();
  say(`   signed in as ${cognito.username}; ID token ${suffix(idToken)}, valid ${TOKEN_SECONDS} s`);
  say(dim('   const auth = installAmplifyAuth(axios.create({ baseURL }))'));

  step(2, 'An authorized call');
  let mark = server.requests.length;
  await api.get('/profile');
  check(seenFrom(mark)[0]?.token === idToken, 'the request carried the ID token and the API accepted it');

  step(3, 'A proactive refresh: the token is about to expire');
  const leeway = TOKEN_SECONDS / 2; // the default 60 s leeway, capped at half the token's lifetime
  say(dim(`   waiting until the token expires within the leeway (${leeway} s)…`));
  await new Promise((resolve) => setTimeout(resolve, leeway * 1000 + 300));
  let refreshes = cognito.refreshCalls;
  mark = server.requests.length;
  await api.get('/orders');
  check(cognito.refreshCalls - refreshes === 1, 'one refresh reached Cognito before the request left');
  check(
    seenFrom(mark).every((r) => r.status === 200),
    'the API saw no 401',
  );

  step(4, '401 → refresh → retry');
  await world.rejectCurrentTokens();
  say(dim('   the API now rejects every token issued so far (as after a key rotation)'));
  refreshes = cognito.refreshCalls;
  mark = server.requests.length;
  await api.get('/orders');
  check(
    seenFrom(mark)
      .map((r) => r.status)
      .join() === '401,200',
    'rejected once, retried once with a fresh token',
  );
  check(cognito.refreshCalls - refreshes === 1, 'one refresh reached Cognito');

  step(5, '20 concurrent requests rejected at once share one refresh');
  await world.rejectCurrentTokens();
  refreshes = cognito.refreshCalls;
  mark = server.requests.length;
  printRequests = false;
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => api.get(`/items/${i}`)));
  printRequests = true;
  wireSummary(seenFrom(mark));
  check(
    results.every((r) => r.status === 200),
    'all 20 requests succeeded',
  );
  check(cognito.refreshCalls - refreshes === 1, `one refresh reached Cognito, not 20`);

  step(6, 'The refresh token is revoked: the plugin emits logout');
  await cognito.revokeRefreshToken();
  await world.rejectCurrentTokens();
  say(dim('   RevokeToken(refresh token) — as an admin or another device would'));
  const failure = await api.get('/orders').then(
    () => undefined,
    (error: unknown) => error,
  );
  say(`   ${dim('request')}  rejected with ${isAmplifyAuthError(failure) ? `${failure.name} (${failure.code})` : String(failure)}`);
  check(
    failure instanceof SessionEndedError && failure.reason === 'revoked',
    'the request rejected with SessionEndedError, reason revoked',
  );
  check(events.filter((e) => e.startsWith('logout')).join() === 'logout:revoked', 'logout fired once, with reason revoked');

  auth.uninstall();
  say();
  say(bold('Summary'));
  const all = server.requests;
  say(`   ${all.length} API requests, ${all.filter((r) => r.status === 401).length} answered 401 (each retried at most once)`);
  say(`   ${cognito.refreshCalls} refreshes reached Cognito: the proactive one, one per wave of 401s, the revoked attempt`);
  say(`   events: ${events.join(', ')}`);
  say(`   done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  say();
  say(
    red(
      error instanceof DemoFailure ? `✗ ${error.message}: the library did not behave as described` : `✗ the demo failed: ${String(error)}`,
    ),
  );
  process.exitCode = 1;
} finally {
  await world.stop();
}
