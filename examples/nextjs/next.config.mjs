import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
export default {
  poweredByHeader: false,
  // The app is its own project (its own lockfile), not part of the repository's root package.
  turbopack: { root: here },
  outputFileTracingRoot: here,
};
