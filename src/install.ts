import type { AxiosInstance } from 'axios';
import { type AllowChecks, compileAllow } from './allowlist.js';
import { type Attachment, tokenAttachment } from './attachment.js';
import { coordinatorOf } from './coordinator.js';
import { Emitter } from './events.js';
import { createTransport } from './transport.js';
import { assertAxiosInstance, type ResolvedOptions, resolveOptions } from './options.js';
import type { AmplifyAuth, AmplifyAuthOptions, TokenSource } from './types.js';

// Which instances have the plugin: installing twice would send the token and refresh twice.
const installed = new WeakSet<AxiosInstance>();

/**
 * Installs the plugin on `instance`; both entry points' `installAmplifyAuth` call this, the main
 * one with Amplify v6 as `defaultSource`. Validates everything before it changes anything.
 */
export function install(
  instance: AxiosInstance,
  options: AmplifyAuthOptions | undefined,
  defaultSource: (() => TokenSource) | undefined,
): AmplifyAuth {
  assertAxiosInstance(instance);
  return installResolved(instance, resolveOptions(options, defaultSource), tokenAttachment);
}

/**
 * Installs with options already resolved, and the way requests carry the credential: a token in
 * a header, or (`/iam`) a signature. The one place an install is made.
 */
export function installResolved(
  instance: AxiosInstance,
  resolved: ResolvedOptions,
  attachmentFor: (resolved: ResolvedOptions, isAllowed: AllowChecks) => Attachment,
): AmplifyAuth {
  if (installed.has(instance)) {
    throw new TypeError('installAmplifyAuth: this axios instance has the plugin already; call uninstall() first');
  }
  const isAllowed = compileAllow(resolved.allow, instance, {
    header: resolved.header,
    scheme: resolved.scheme,
    tokenType: resolved.tokenType,
  });
  const attachment = attachmentFor(resolved, isAllowed);
  const coordinator = coordinatorOf(resolved.source);
  const events = new Emitter();
  coordinator.addEmitter(events);

  let active = true;
  const { onRequest } = createTransport({ options: resolved, events, coordinator, isAllowed, isActive: () => active, attachment });
  // Only the adapter is wrapped here: the token is attached, and a rejected one retried, inside
  // axios's dispatch, after every interceptor of the app (see transport.ts).
  const requestId = instance.interceptors.request.use(onRequest);
  installed.add(instance);

  return {
    on: (event, listener) => events.on(event, listener),
    off: (event, listener) => events.off(event, listener),
    uninstall() {
      if (!active) return;
      // Requests already under way see `active` false and pass through untouched.
      active = false;
      instance.interceptors.request.eject(requestId);
      coordinator.removeEmitter(events);
      events.clear();
      installed.delete(instance);
    },
  };
}

/**
 * Options of `/core`'s {@link installAmplifyAuth}: `source` is required there.
 * @example
 * import { fetchAuthSession } from 'aws-amplify/auth';
 * import { Hub } from 'aws-amplify/utils';
 * const options: AmplifyAuthOptions = { source: fromFetchAuthSession(fetchAuthSession, Hub), tokenType: 'access' };
 * installAmplifyAuth(api, options);
 */
export interface CoreAmplifyAuthOptions extends AmplifyAuthOptions {
  /** Where tokens come from (no default in `/core`, which imports nothing of `aws-amplify`). */
  source: TokenSource;
}

/**
 * Installs transparent Cognito authentication on an axios instance: the token on every allowed
 * request, one shared refresh and one retry after a 401, and `logout` when the session ends.
 * From `/core` the `source` is required (no import of `aws-amplify`).
 *
 * @example
 * import { Auth, Hub } from 'aws-amplify'; // v5
 * const auth = installAmplifyAuth(api, { source: fromCurrentSession(Auth, Hub) });
 * auth.on('logout', ({ reason }) => router.push('/sign-in'));
 */
export function installAmplifyAuth(instance: AxiosInstance, options: CoreAmplifyAuthOptions): AmplifyAuth {
  return install(instance, options, undefined);
}
