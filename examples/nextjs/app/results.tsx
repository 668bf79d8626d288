'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { ApiOutcome } from '../lib/call-api';
import { callApiAction } from './actions';

/** Calls the Route Handler and the Server Action, shows their answers; a session that ended sends the user to sign in. */
export function Results() {
  const router = useRouter();
  // Each answer with its number, so that a repeated identical answer is still a new one.
  const [routeHandler, setRouteHandler] = useState<{ count: number; outcome?: ApiOutcome }>({ count: 0 });
  const [serverAction, setServerAction] = useState<{ count: number; outcome?: ApiOutcome }>({ count: 0 });

  function ended(outcome: ApiOutcome): boolean {
    if (outcome.ok || (outcome.error !== 'SESSION_ENDED' && outcome.error !== 'NOT_SIGNED_IN')) return false;
    router.replace(outcome.error === 'SESSION_ENDED' ? `/sign-in?reason=${encodeURIComponent(outcome.reason)}` : '/sign-in');
    return true;
  }

  return (
    <section>
      <button
        id="call-route-handler"
        onClick={async () => {
          const outcome = (await (await fetch('/api/data?tag=route-handler', { cache: 'no-store' })).json()) as ApiOutcome;
          if (!ended(outcome)) setRouteHandler(({ count }) => ({ count: count + 1, outcome }));
        }}
      >
        Route Handler
      </button>
      <button
        id="call-server-action"
        onClick={async () => {
          const outcome = await callApiAction('server-action');
          if (!ended(outcome)) setServerAction(({ count }) => ({ count: count + 1, outcome }));
        }}
      >
        Server Action
      </button>
      <h2>Route Handler</h2>
      <pre id="route-handler" data-count={routeHandler.count}>
        {routeHandler.outcome ? JSON.stringify(routeHandler.outcome) : ''}
      </pre>
      <h2>Server Action</h2>
      <pre id="server-action" data-count={serverAction.count}>
        {serverAction.outcome ? JSON.stringify(serverAction.outcome) : ''}
      </pre>
    </section>
  );
}
