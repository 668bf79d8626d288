import axios from 'axios';
import AxiosMockAdapter from 'axios-mock-adapter';
import { installAmplifyAuth } from '../../src/core.js';
import type { AmplifyAuthOptions } from '../../src/types.js';
import { issueTokens } from './jwt.js';

const tokens = issueTokens(1);
const source = { getTokens: async () => tokens };

export interface UrlCase {
  url: string;
  baseURL?: string;
  allow?: AmplifyAuthOptions['allow'];
  /** The request's own baseURL. */
  requestBaseURL?: string;
  allowAbsoluteUrls?: boolean;
}

/** Sends `url` through an instance with `baseURL` (default the API's) and tells whether it carried the token. */
export async function carriesToken({
  url,
  baseURL = 'https://api.example.com',
  allow,
  requestBaseURL,
  allowAbsoluteUrls,
}: UrlCase): Promise<boolean> {
  const api = axios.create({ baseURL });
  let sent: unknown;
  new AxiosMockAdapter(api).onAny().reply((config) => {
    sent = config.headers?.Authorization;
    return [200, {}];
  });
  installAmplifyAuth(api, { source, ...(allow ? { allow } : {}) });
  await api
    .get(url, {
      ...(requestBaseURL ? { baseURL: requestBaseURL } : {}),
      ...(allowAbsoluteUrls !== undefined ? { allowAbsoluteUrls } : {}),
    })
    .catch(() => {});
  return sent === `Bearer ${tokens.idToken}`;
}
