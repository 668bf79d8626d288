// A Vite app that uses axios-amplify-auth as the README's quick start does: Amplify v6 signs the
// user in, and the plugin puts the ID token on every call to the API, refreshing it when needed.
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import axios from 'axios';
import { installAmplifyAuth, isAmplifyAuthError } from 'axios-amplify-auth';

interface ExampleConfig {
  amplify: Parameters<typeof Amplify.configure>[0];
  apiUrl: string;
  /** Prefills the form (the local test user). */
  username?: string;
  password?: string;
}

/** What a call to the API came to: its status and body, or why it failed. */
export type CallResult = { status: number; data: unknown } | { error: string };

// A real app would import its amplify_outputs.json or read import.meta.env; the example asks the
// server it is served from, so that one build runs against any Cognito and API.
const config = (await (await fetch('/config.json')).json()) as ExampleConfig;
Amplify.configure(config.amplify);

// The whole integration: an axios instance for the API, and the plugin on it.
const api = axios.create({ baseURL: config.apiUrl });
const auth = installAmplifyAuth(api);

const events: string[] = [];
auth.on('refresh', ({ trigger }) => events.push(`refresh:${trigger}`));
auth.on('logout', ({ reason }) => {
  events.push(`logout:${reason}`);
  void show(); // a real app would send the user to its sign-in page here
});
auth.on('refreshError', () => events.push('refreshError'));

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
}

async function idToken(): Promise<string | undefined> {
  return (await fetchAuthSession()).tokens?.idToken?.toString();
}

async function show(result?: CallResult): Promise<void> {
  element('user').textContent = (await idToken()) ? element<HTMLInputElement>('username').value : 'signed out';
  element('events').replaceChildren(...events.map((event) => Object.assign(document.createElement('li'), { textContent: event })));
  if (result) element('result').textContent = JSON.stringify(result, null, 2);
}

/** What the buttons do; exposed on `window.example` for the browser test. */
const example = {
  events,
  idToken,
  async signIn(): Promise<void> {
    const username = element<HTMLInputElement>('username').value;
    const password = element<HTMLInputElement>('password').value;
    await signIn({ username, password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    await show();
  },
  async call(path = '/hello'): Promise<CallResult> {
    let result: CallResult;
    try {
      const response = await api.get(path);
      result = { status: response.status, data: response.data };
    } catch (error) {
      if (isAmplifyAuthError(error)) result = { error: `${error.name} (${error.code})` };
      else if (axios.isAxiosError(error) && error.response) result = { status: error.response.status, data: error.response.data };
      else result = { error: String(error) };
    }
    await show(result);
    return result;
  },
  async signOut(): Promise<void> {
    await signOut();
    await show();
  },
};
(window as unknown as { example: typeof example }).example = example;

element<HTMLInputElement>('username').value = config.username ?? '';
element<HTMLInputElement>('password').value = config.password ?? '';
element('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  example.signIn().catch((error: unknown) => show({ error: String(error) }));
});
element('call').addEventListener('click', () => void example.call());
element('sign-out').addEventListener('click', () => void example.signOut());
await show();
document.body.dataset.ready = 'true';
