// The demo page: Amplify v6 and axios-amplify-auth in a browser, against the local Cognito.
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import axios, { type AxiosError } from 'axios';
import { installAmplifyAuth, isAmplifyAuthError } from 'axios-amplify-auth';

interface DemoConfig {
  amplify: Parameters<typeof Amplify.configure>[0];
  apiUrl: string;
  username: string;
  password: string;
  /** Every user of the local pool (the first is `username`), for account switches. */
  users?: Array<{ username: string; password: string }>;
}

const config = (await (await fetch('/config.json')).json()) as DemoConfig;
Amplify.configure(config.amplify);

const $ = (id: string) => document.getElementById(id)!;
const suffix = (token?: string) => (token ? `…${token.slice(-8)}` : 'none');
const entries: string[] = [];

function log(kind: string, text: string): void {
  entries.push(`${kind} ${text}`);
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $('log').append(item);
  item.scrollIntoView({ block: 'nearest' });
}

/** The user an ID token is of (its `email`), read without verifying: for display only. */
function userOf(token: string): string {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { email?: string; sub?: string };
    return payload.email ?? payload.sub ?? config.username;
  } catch {
    return config.username;
  }
}

async function showSession(): Promise<void> {
  const token = (await fetchAuthSession()).tokens?.idToken?.toString();
  $('user').textContent = token ? userOf(token) : 'signed out';
  $('token').textContent = suffix(token);
  const stats = (await (await fetch('/control/stats')).json()) as { refreshCalls: number };
  $('refreshes').textContent = String(stats.refreshCalls);
}

// The API client. The logging interceptors are added first, so that they see the request as the
// plugin leaves it (request interceptors run last-added first) and each response before it.
const api = axios.create({ baseURL: config.apiUrl });
api.interceptors.request.use((request) => {
  log('request', `→ GET ${request.url}   token ${suffix(String(request.headers.Authorization ?? '').slice(7) || undefined)}`);
  return request;
});
api.interceptors.response.use(
  (response) => {
    log('ok', `← ${response.status} ${response.config.url}`);
    return response;
  },
  (error: AxiosError) => {
    if (error.response) log('unauthorized', `← ${error.response.status} ${error.config?.url}`);
    throw error;
  },
);
const auth = installAmplifyAuth(api);
const events: string[] = [];
auth.on('refresh', ({ trigger }) => {
  events.push(`refresh:${trigger}`);
  log('event', `event refresh { trigger: '${trigger}' }`);
});
auth.on('logout', ({ reason }) => {
  events.push(`logout:${reason}`);
  log('event', `event logout { reason: '${reason}' } — the app would send the user to sign in`);
  void showSession();
});
auth.on('refreshError', () => {
  events.push('refreshError');
  log('error', 'event refreshError — transient, the session is kept');
});

const control = (action: string) => fetch(`/control/${action}`, { method: 'POST' });

/** What the buttons do; the browser tests call these too. */
const demo = {
  entries,
  events,
  /** Signs in the first user, or the user of the pool named `username` (see `config.users`). */
  async signIn(username = config.username) {
    const user = (config.users ?? []).find((candidate) => candidate.username === username) ?? {
      username: config.username,
      password: config.password,
    };
    await signIn({ username: user.username, password: user.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    log('note', `signed in as ${user.username}`);
    await showSession();
  },
  async call(path = '/hello'): Promise<number | string> {
    try {
      const response = await api.get(path);
      return response.status;
    } catch (error) {
      const outcome = isAmplifyAuthError(error) ? `${error.name} (${error.code})` : String((error as AxiosError).response?.status ?? error);
      log('error', `request failed: ${outcome}`);
      return outcome;
    } finally {
      await showSession();
    }
  },
  async rejectTokens() {
    await control('reject');
    log('note', 'the API now rejects every token issued so far');
  },
  async revoke() {
    await control('revoke');
    log('note', 'the refresh token was revoked (RevokeToken), and the API rejects the current token');
  },
  async signOut() {
    await signOut();
    log('note', 'signed out by the app (no logout event)');
    await showSession();
  },
};
(window as unknown as { demo: typeof demo }).demo = demo;

$('sign-in').onclick = () => void demo.signIn().catch((error: unknown) => log('error', String(error)));
$('call').onclick = () => void demo.call();
$('reject').onclick = () => void demo.rejectTokens();
$('revoke').onclick = () => void demo.revoke();
$('sign-out').onclick = () => void demo.signOut();
// Another tab signed in or out: show it.
window.addEventListener('storage', () => void showSession());
await showSession();
document.body.dataset.ready = 'true';
