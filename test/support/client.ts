import { vi } from 'vitest';
import { installAmplifyAuth, type AmplifyAuthOptions } from '../../src/core.js';
import type { AmplifyAuth, AmplifyAuthEvents, TokenSource } from '../../src/types.js';
import { createApi } from './api.js';
import { FakeSession } from './fake-source.js';

export interface ClientOptions {
  /** Whether the fake session tells changes (`subscribe`). @default true */
  subscribe?: boolean;
  /** Whether a user is signed in at the start. @default true */
  signedIn?: boolean;
  /** Another source than a new fake session (an adapter over a fake Amplify). */
  source?: TokenSource;
  /** The fake session of another client: a second instance on the same source. */
  session?: FakeSession;
  /** The install's options but `source`. */
  options?: Omit<AmplifyAuthOptions, 'source'>;
}

/**
 * A `vi.fn()` per event, subscribed on `auth`. Not `skip`: with nobody listening the plugin
 * builds no `skip` payload, and that is the path these tests should take (test/per-api.test.ts
 * listens to `skip` itself).
 */
export function observe(auth: AmplifyAuth) {
  const events = {
    logout: vi.fn<(payload: AmplifyAuthEvents['logout']) => void>(),
    refresh: vi.fn<(payload: AmplifyAuthEvents['refresh']) => void>(),
    refreshError: vi.fn<(payload: AmplifyAuthEvents['refreshError']) => void>(),
  };
  auth.on('logout', events.logout);
  auth.on('refresh', events.refresh);
  auth.on('refreshError', events.refreshError);
  return events;
}

/**
 * The one setup of the unit tests: a fake session (signed in), a fake API that checks tokens,
 * the plugin installed on it, and every event observed. A test passes only what differs.
 */
export function createClient({ subscribe = true, signedIn = true, source, session: shared, options = {} }: ClientOptions = {}) {
  const session = shared ?? new FakeSession({ subscribe });
  if (signedIn && !shared) session.signIn();
  const server = createApi();
  const auth = installAmplifyAuth(server.api, { ...options, source: source ?? session.source });
  return { session, server, api: server.api, auth, events: observe(auth) };
}
