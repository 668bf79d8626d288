import { fetchAuthSession } from 'aws-amplify/auth';
import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import { createAuthRefresh } from 'axios-auth-refresh';
import { type AmplifyAuth, installAmplifyAuth } from 'axios-amplify-auth';

/** The ways an app attaches Cognito tokens to axios today, and this plugin. */
export type Implementation =
  'bare axios, static header' | 'hand-written interceptor' | 'axios-auth-refresh + interceptor' | 'axios-amplify-auth';

export const implementations: Implementation[] = [
  'bare axios, static header',
  'hand-written interceptor',
  'axios-auth-refresh + interceptor',
  'axios-amplify-auth',
];

export const configurations: Record<Implementation, string> = {
  'bare axios, static header': "defaults.headers.common.Authorization = 'Bearer <token>' (no refresh at all)",
  'hand-written interceptor':
    'request: await fetchAuthSession(), set Authorization; response: on 401 once, fetchAuthSession({ forceRefresh: true }) and retry',
  'axios-auth-refresh + interceptor':
    'the same request interceptor; createAuthRefresh(api, failed => fetchAuthSession({ forceRefresh: true }) → header, { deduplicateRefresh: false }; with true, 401s that arrive during the refresh are rejected (#307))',
  'axios-amplify-auth': 'installAmplifyAuth(api), no options (Amplify v6 source with Hub)',
};

const bearer = async (): Promise<string> => `Bearer ${(await fetchAuthSession()).tokens?.idToken?.toString()}`;

async function attachFromAmplify(config: InternalAxiosRequestConfig): Promise<InternalAxiosRequestConfig> {
  config.headers.Authorization = await bearer();
  return config;
}

/** Sets `implementation` up on a new instance whose requests go to `adapter`. */
export async function create(
  implementation: Implementation,
  adapter: NonNullable<InternalAxiosRequestConfig['adapter']>,
): Promise<{ api: AxiosInstance; auth?: AmplifyAuth; dispose: () => void }> {
  const api = axios.create({ baseURL: 'https://api.example.com', adapter });
  switch (implementation) {
    case 'bare axios, static header':
      api.defaults.headers.common.Authorization = await bearer();
      return { api, dispose: () => {} };
    case 'hand-written interceptor': {
      api.interceptors.request.use(attachFromAmplify);
      const retried = new WeakSet<object>();
      api.interceptors.response.use(undefined, async (error: unknown) => {
        if (!axios.isAxiosError(error) || error.response?.status !== 401 || !error.config || retried.has(error.config)) throw error;
        await fetchAuthSession({ forceRefresh: true });
        const retry = { ...error.config };
        retried.add(retry);
        return api.request(retry);
      });
      return { api, dispose: () => {} };
    }
    case 'axios-auth-refresh + interceptor':
      api.interceptors.request.use(attachFromAmplify);
      createAuthRefresh(
        api,
        async (failed: { response: { config: InternalAxiosRequestConfig } }) => {
          await fetchAuthSession({ forceRefresh: true });
          failed.response.config.headers.Authorization = await bearer();
        },
        { deduplicateRefresh: false },
      );
      return { api, dispose: () => {} };
    case 'axios-amplify-auth': {
      const auth = installAmplifyAuth(api);
      return { api, auth, dispose: () => auth.uninstall() };
    }
  }
}
