// What a README or docs block takes from the app around it: `axios` and `installAmplifyAuth`
// imported as the Quick start does, and the app's own objects. Everything else a block uses it
// must import or declare itself. Each block is compiled as a module of its own against the built
// package; its imports and declarations shadow these.
import type { AxiosInstance } from 'axios';
import type MockAdapter from 'axios-mock-adapter';
import type { AmplifyAuth, installAmplifyAuth as install } from 'axios-amplify-auth';
import type { expect as vitestExpect, Mock } from 'vitest';

interface SessionStore {
  get(options: { refresh: boolean }): Promise<{ idToken: string; accessToken: string } | 'dead' | undefined>;
  onChange(listener: () => void): () => void;
}

declare global {
  const axios: typeof import('axios').default;
  const installAmplifyAuth: typeof install;
  /** The app's axios instance (not installed yet) and, for blocks that only listen, a handle. */
  const api: AxiosInstance;
  const auth: AmplifyAuth;
  const router: { push(path: string): void };
  const showOfflineBanner: () => void;
  const mySessionStore: SessionStore;
  const session: { idToken: string; accessToken: string };
  const cognitoError: Error;
  const metrics: { count(name: string): void };
  const debugLog: (message: string) => void;
  const showSignIn: (reason: string) => void;
  // A test of the app's own (the testing recipe).
  const expect: typeof vitestExpect;
  const mock: MockAdapter;
  const onLogout: Mock<(event: { reason: string }) => void>;
  // Next.js: `@aws-amplify/adapter-nextjs`'s createServerRunner() result, and a Route Handler's arguments.
  const runWithAmplifyServerContext: <T>(input: {
    nextServerContext: { request: Request; response: Response } | { cookies: () => unknown };
    operation: (contextSpec: import('aws-amplify/adapter-core').ContextSpec) => Promise<T>;
  }) => Promise<T>;
  const request: Request;
  const response: Response;
  interface ImportMeta {
    readonly env: { readonly DEV: boolean };
  }
}
