import type { ReactNode } from 'react';
import type { ResourcesConfig } from 'aws-amplify';
import { amplifyConfig } from '../lib/config';
import { ConfigureAmplify } from './amplify-client';

// Every page reads the configuration of this `next start`, none is prerendered at build time.
export const dynamic = 'force-dynamic';

export const metadata = { title: 'axios-amplify-auth · Next.js' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <ConfigureAmplify config={amplifyConfig() as ResourcesConfig} />
        {children}
      </body>
    </html>
  );
}
