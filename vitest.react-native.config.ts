import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// The unit suite under React Native's globals (see test/environments/react-native-globals.ts).
// Browser tests drive Chromium, whose globals are a browser's: they are not this environment's.
export default mergeConfig(
  base,
  defineConfig({
    test: { setupFiles: ['./test/environments/react-native-globals.ts'], exclude: ['test/browser/**', 'node_modules/**'] },
  }),
);
