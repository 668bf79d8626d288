'use server';

import { cookies } from 'next/headers';
import { apiPaths, callApi, type ApiOutcome } from '../lib/call-api';

// Server Action: `{ cookies }` context. Cookies are writable in an action, so a refresh's tokens
// reach the browser with the action's answer.
export async function callApiAction(tag: string, calls = 1): Promise<ApiOutcome> {
  return callApi({ cookies }, apiPaths(tag, calls));
}
