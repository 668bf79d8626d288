'use client';

import { Amplify, type ResourcesConfig } from 'aws-amplify';

/**
 * Configures Amplify in the browser with `ssr: true`: its tokens are kept in cookies, which the
 * server reads (and, after a refresh in a Route Handler or a Server Action, writes).
 */
export function ConfigureAmplify({ config }: { config: ResourcesConfig }) {
  if (typeof window !== 'undefined') Amplify.configure(config, { ssr: true });
  return null;
}
