import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { apiPaths, callApi } from '../../lib/call-api';

// Server Component: `{ cookies }` context, read-only. A refresh works for this render, but
// Amplify cannot write its tokens back (Next forbids setting cookies while rendering): the
// browser keeps the old ones, and the next render whose token is rejected refreshes again.
export default async function ServerComponentPage({ searchParams }: { searchParams: Promise<{ tag?: string; calls?: string }> }) {
  const { tag = 'server-component', calls = '1' } = await searchParams;
  const outcome = await callApi({ cookies }, apiPaths(tag, Number(calls) || 1));
  if (!outcome.ok && outcome.error === 'SESSION_ENDED') redirect(`/sign-in?reason=${encodeURIComponent(outcome.reason)}`);
  if (!outcome.ok && outcome.error === 'NOT_SIGNED_IN') redirect('/sign-in');
  return (
    <main>
      <h1>Server Component</h1>
      <pre id="server-component">{JSON.stringify(outcome)}</pre>
      <p>
        <a href="/">back</a>
      </p>
    </main>
  );
}
