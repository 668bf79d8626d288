// Bundles the Hermes test app with Metro as a React Native release build does: React Native's
// Metro config (@react-native/metro-config: its resolver fields and conditions, its polyfills, its
// Babel transformer and so @react-native/babel-preset), platform android, dev false, minified.
// Two departures, both because there is no `react-native` package here: the app's first module
// (globals.ts) plays InitializeCore instead of `react-native/Libraries/Core/InitializeCore`, and
// the one import of `react-native` (by react-native-url-polyfill) resolves to the app's
// react-native.ts. Metro, the Babel preset and @babel/runtime come from the toolchain folder that
// .ci/hermes.sh installs.
//
//   node test/hermes/bundle.mjs --toolchain DIR --app DIR --entry src/index.ts --out bundle.js [--cache DIR]
import console from 'node:console';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    toolchain: { type: 'string' },
    app: { type: 'string' },
    entry: { type: 'string', default: 'src/index.ts' },
    out: { type: 'string' },
    cache: { type: 'string' },
  },
});
if (!values.toolchain || !values.app || !values.out) {
  console.error('usage: node test/hermes/bundle.mjs --toolchain DIR --app DIR --entry FILE --out FILE [--cache DIR]');
  process.exit(2);
}
const toolchain = path.resolve(values.toolchain);
const app = path.resolve(values.app);
const fromToolchain = createRequire(path.join(toolchain, 'package.json'));
const Metro = fromToolchain('metro');
const { getDefaultConfig, mergeConfig } = fromToolchain('@react-native/metro-config');
const { FileStore } = fromToolchain('metro-cache');

const fileMapCache = path.join(app, '.metro-file-map');
mkdirSync(fileMapCache, { recursive: true });
const reactNativeStandIn = path.join(app, 'src', 'react-native.ts');
const errors = [];

const config = mergeConfig(await getDefaultConfig(app), {
  projectRoot: app,
  // Metro serves only files under a watch folder (its config loader would add the project itself):
  // the app, and the toolchain's polyfills and helpers.
  watchFolders: [app, toolchain],
  // The crawl of a temporary app is of no use later: kept beside it, not in the system's temporary folder.
  fileMapCacheDirectory: fileMapCache,
  maxWorkers: 2,
  ...(values.cache && { cacheStores: [new FileStore({ root: path.resolve(values.cache) })] }),
  reporter: {
    update(event) {
      if (event.type === 'bundle_build_failed' || event.type === 'bundling_error') errors.push(event.error?.message ?? event.type);
    },
  },
  resolver: {
    useWatchman: false,
    // @babel/runtime's helpers (the preset's transform-runtime) as an app's node_modules would have them.
    nodeModulesPaths: [path.join(toolchain, 'node_modules')],
    resolveRequest(context, moduleName, platform) {
      if (moduleName === 'react-native') return { type: 'sourceFile', filePath: reactNativeStandIn };
      return context.resolveRequest(context, moduleName, platform);
    },
  },
  serializer: {
    // InitializeCore's part is played by the app's first module (globals.ts).
    getModulesRunBeforeMainModule: () => [],
  },
});

try {
  await Metro.runBuild(config, {
    entry: path.join(app, values.entry),
    out: path.resolve(values.out),
    platform: 'android',
    dev: false,
    minify: true,
    sourceMap: false,
  });
} catch (error) {
  console.error(`bundle: Metro failed: ${error instanceof Error ? error.message : String(error)}`);
  for (const message of errors) console.error(`bundle: ${message}`);
  process.exit(1);
}
