import { type NextRequest, NextResponse } from 'next/server';
import { apiPaths, callApi } from '../../../lib/call-api';

// Route Handler: `{ request, response }` context. A refresh's tokens are written to `response`
// as Set-Cookie headers, which are copied onto the answer: the browser keeps the new tokens.
export async function GET(request: NextRequest) {
  const tag = request.nextUrl.searchParams.get('tag') ?? 'route-handler';
  const calls = Number(request.nextUrl.searchParams.get('calls') ?? '1') || 1;
  const response = new NextResponse();
  const outcome = await callApi({ request, response }, apiPaths(tag, calls));
  const status = outcome.ok ? 200 : outcome.error === 'FAILED' ? 502 : 401;
  const answer = NextResponse.json(outcome, { status, headers: { 'cache-control': 'no-store' } });
  for (const cookie of response.headers.getSetCookie()) answer.headers.append('set-cookie', cookie);
  return answer;
}
