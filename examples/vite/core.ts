// The same app on `axios-amplify-auth/core`, which never imports aws-amplify: the tokens come from
// a small token source that talks to Cognito's API itself (as an app on Amplify v5, on another
// auth library or on none would). The bundle carries the plugin and axios, nothing of Amplify.
import axios from 'axios';
import { installAmplifyAuth, isAmplifyAuthError, SessionEndedError, type SessionTokens, type TokenSource } from 'axios-amplify-auth/core';

interface ExampleConfig {
  /** The same configuration Amplify v6 takes; only its Cognito user pool is read here. */
  amplify: { Auth: { Cognito: { userPoolId: string; userPoolClientId: string; userPoolEndpoint?: string } } };
  apiUrl: string;
  username?: string;
  password?: string;
}

export type CallResult = { status: number; data: unknown } | { error: string };

const config = (await (await fetch('/config.json')).json()) as ExampleConfig;
const pool = config.amplify.Auth.Cognito;
const cognitoEndpoint = pool.userPoolEndpoint ?? `https://cognito-idp.${pool.userPoolId.split('_')[0]}.amazonaws.com/`;

/** Cognito's InitiateAuth; rejects with an Error named after Cognito's exception. */
async function initiateAuth(flow: 'USER_PASSWORD_AUTH' | 'REFRESH_TOKEN_AUTH', parameters: Record<string, string>) {
  const response = await fetch(cognitoEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
    body: JSON.stringify({ AuthFlow: flow, ClientId: pool.userPoolClientId, AuthParameters: parameters }),
  });
  const body = (await response.json()) as {
    __type?: string;
    message?: string;
    AuthenticationResult?: { IdToken: string; AccessToken: string; RefreshToken?: string };
  };
  if (!response.ok || !body.AuthenticationResult) {
    throw Object.assign(new Error(body.message ?? `Cognito answered ${response.status}`), { name: body.__type ?? 'CognitoError' });
  }
  return body.AuthenticationResult;
}

let session: (SessionTokens & { refreshToken: string }) | undefined;

/** The plugin's view of this app's session: the current tokens, refreshed when it asks. */
const source: TokenSource = {
  async getTokens({ forceRefresh }) {
    if (!session) return undefined;
    if (forceRefresh) {
      try {
        const result = await initiateAuth('REFRESH_TOKEN_AUTH', { REFRESH_TOKEN: session.refreshToken });
        session = { idToken: result.IdToken, accessToken: result.AccessToken, refreshToken: result.RefreshToken ?? session.refreshToken };
      } catch (error) {
        // A refresh token Cognito refuses ends the session; anything else (offline, 5xx) is transient.
        if (error instanceof Error && error.name === 'NotAuthorizedException') {
          session = undefined;
          const reason = /revoked/i.test(error.message) ? 'revoked' : /expired/i.test(error.message) ? 'expired' : 'session-ended';
          throw new SessionEndedError(reason, { cause: error });
        }
        throw error;
      }
    }
    return { idToken: session.idToken, accessToken: session.accessToken };
  },
};

const api = axios.create({ baseURL: config.apiUrl });
const auth = installAmplifyAuth(api, { source });

const events: string[] = [];
auth.on('refresh', ({ trigger }) => events.push(`refresh:${trigger}`));
auth.on('logout', ({ reason }) => events.push(`logout:${reason}`));
auth.on('refreshError', () => events.push('refreshError'));

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found;
}

function show(result?: CallResult): void {
  element('user').textContent = session ? (config.username ?? 'signed in') : 'signed out';
  element('events').replaceChildren(...events.map((event) => Object.assign(document.createElement('li'), { textContent: event })));
  if (result) element('result').textContent = JSON.stringify(result, null, 2);
}

/** What the buttons do; exposed on `window.example` for the browser test. */
const example = {
  events,
  idToken: async () => session?.idToken,
  async signIn(username = config.username ?? '', password = config.password ?? ''): Promise<void> {
    const result = await initiateAuth('USER_PASSWORD_AUTH', { USERNAME: username, PASSWORD: password });
    if (!result.RefreshToken) throw new Error('Cognito sent no refresh token');
    session = { idToken: result.IdToken, accessToken: result.AccessToken, refreshToken: result.RefreshToken };
    show();
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
    show(result);
    return result;
  },
};
(window as unknown as { example: typeof example }).example = example;

element('sign-in').addEventListener('click', () => void example.signIn().catch((error: unknown) => show({ error: String(error) })));
element('call').addEventListener('click', () => void example.call());
show();
document.body.dataset.ready = 'true';
