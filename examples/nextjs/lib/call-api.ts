import axios from 'axios';
import { installAmplifyAuth, isAmplifyAuthError } from 'axios-amplify-auth';
import { fromServerContext } from 'axios-amplify-auth/server';
import { fetchAuthSession } from 'aws-amplify/auth/server';
import type { NextServer } from '@aws-amplify/adapter-nextjs';
import { runWithAmplifyServerContext } from './amplify-server';
import { exampleConfig } from './config';

export interface ApiCall {
  path: string;
  status: number;
  /** Who the API says the token belongs to. */
  user: string | undefined;
}

/** What every server path (Server Component, Route Handler, Server Action) answers. */
export type ApiOutcome =
  | { ok: true; calls: ApiCall[]; refreshes: number }
  | { ok: false; error: 'SESSION_ENDED'; reason: string }
  | { ok: false; error: 'NOT_SIGNED_IN' }
  | { ok: false; error: 'FAILED'; message: string };

/**
 * Calls the API on behalf of the user of this server request: one axios instance, one install,
 * one token source per request (the user's session is the request's cookies, nobody else's).
 * `paths` are requested concurrently: a rejected token costs one refresh, shared by all of them.
 */
export async function callApi(nextServerContext: NextServer.Context, paths: string[]): Promise<ApiOutcome> {
  return runWithAmplifyServerContext({
    nextServerContext,
    operation: async (contextSpec) => {
      const api = axios.create({ baseURL: exampleConfig().apiUrl, timeout: 10_000 });
      // The type argument picks fetchAuthSession's `(contextSpec, options)` overload; without it
      // TypeScript infers `Context` from the last overload, `(options)`, and rejects contextSpec.
      const auth = installAmplifyAuth(api, { source: fromServerContext<typeof contextSpec>(fetchAuthSession, contextSpec) });
      let refreshes = 0;
      auth.on('refresh', () => {
        refreshes += 1;
      });
      try {
        const responses = await Promise.all(paths.map((path) => api.get<{ user?: string }>(path)));
        return {
          ok: true as const,
          calls: responses.map((response, index) => ({ path: paths[index] ?? '', status: response.status, user: response.data.user })),
          refreshes,
        };
      } catch (error) {
        if (isAmplifyAuthError(error) && error.code === 'SESSION_ENDED') {
          return { ok: false as const, error: 'SESSION_ENDED' as const, reason: error.reason };
        }
        // No session at all (no cookies): the API answered 401 and there was nothing to refresh.
        if (axios.isAxiosError(error) && error.response?.status === 401) return { ok: false as const, error: 'NOT_SIGNED_IN' as const };
        return { ok: false as const, error: 'FAILED' as const, message: error instanceof Error ? error.message : String(error) };
      } finally {
        auth.uninstall();
      }
    },
  });
}

/** The paths one server request calls: `?tag=` lets a caller match the API's records to its own requests. */
export function apiPaths(tag: string, calls: number): string[] {
  const names = ['profile', 'orders', 'settings', 'messages'];
  return Array.from(
    { length: Math.min(Math.max(calls, 1), names.length) },
    (_, index) => `/${names[index]}?tag=${encodeURIComponent(tag)}`,
  );
}
