// A page with real Amplify v6 and, unless the URL says `?plugin=0`, the plugin from src/ with the
// default source: what the Chromium tests of test/browser/rotation*.test.ts drive in several tabs.
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import axios, { type AxiosError } from 'axios';
import { installAmplifyAuth, isAmplifyAuthError } from '../../../src/index.js';

interface PageConfig {
  amplify: Parameters<typeof Amplify.configure>[0];
  apiUrl: string;
  users: Array<{ username: string; password: string }>;
}

declare global {
  interface Window {
    tabs: typeof tab;
  }
}

const config = (await (await fetch('/config.json')).json()) as PageConfig;
Amplify.configure(config.amplify);
const withPlugin = new URLSearchParams(location.search).get('plugin') !== '0';

/** What happened in this tab, in order: `logout:<reason>`, `refresh:<trigger>`, `refreshError`, Hub `hub:<event>`. */
const events: string[] = [];
Hub.listen('auth', ({ payload }) => events.push(`hub:${payload.event}`), { enableCrossTabEvents: true } as never);

const api = axios.create({ baseURL: config.apiUrl });
if (withPlugin) {
  const auth = installAmplifyAuth(api);
  auth.on('logout', ({ reason }) => events.push(`logout:${reason}`));
  auth.on('refresh', ({ trigger }) => events.push(`refresh:${trigger}`));
  auth.on('refreshError', () => events.push('refreshError'));
}

/** A request's outcome: its status, or the plugin's error as `Name (CODE)`. */
async function call(path: string): Promise<number | string> {
  try {
    return (await api.get(path)).status;
  } catch (error) {
    if (isAmplifyAuthError(error)) return `${error.name} (${error.code})`;
    return String((error as AxiosError).response?.status ?? error);
  }
}

/** Resolves at `at` (ms since the epoch): how two tabs start at one moment. */
function until(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
}

const tab = {
  events,
  withPlugin,
  async signIn(username: string) {
    const user = config.users.find((candidate) => candidate.username === username);
    if (!user) throw new Error(`no user ${username}`);
    await signIn({ username: user.username, password: user.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  },
  signOut: () => signOut(),
  /** Nobody signed in, whatever state a test left: signed out, and Amplify's storage emptied. */
  async reset() {
    await signOut().catch(() => {});
    localStorage.clear();
  },
  call,
  /** The requests of `paths`, all started at `at`. */
  async callAt(paths: string[], at: number) {
    await until(at);
    return Promise.all(paths.map(call));
  },
  /** The app's own `fetchAuthSession`, as Amplify's categories or UI make it: `tokens`, `none`, or the error's name. */
  async own(forceRefresh = false, at?: number): Promise<string> {
    if (at !== undefined) await until(at);
    try {
      return (await fetchAuthSession({ forceRefresh })).tokens ? 'tokens' : 'none';
    } catch (error) {
      return String((error as { name?: string }).name ?? error);
    }
  },
};
window.tabs = tab;
document.getElementById('user')!.textContent = 'ready';
document.body.dataset.ready = 'true';
