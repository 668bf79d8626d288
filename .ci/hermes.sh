#!/usr/bin/env bash
# The package as a React Native app runs it: packed (`npm pack`), installed into a test app with
# axios, bundled by Metro with React Native's Metro config and Babel preset (a release build:
# dev false, minified), and executed by the Hermes VM (`-Xmicrotask-queue`, as React Native
# configures it) once per React Native version's globals. The app is test/hermes/app (the checks,
# the globals React Native's InitializeCore sets up, an in-memory API); test/hermes/bundle.mjs
# bundles it. Nothing leaves the machine but npm's registry requests.
#
# Usage:  bash .ci/hermes.sh
#   AAA_HERMES_TARBALL=path.tgz    test that tarball instead of building and packing this tree
#   AAA_HERMES_PROFILES="..."      globals profiles (default: rn-0.73 rn-0.74-0.82 rn-0.83-0.87 rn-0.88)
#   AAA_HERMES_AXIOS="..."         axios specs (default: the lowest the package accepts, and ^1: the newest 1.x)
#   AAA_HERMES_VERBOSE=1           print every check, not only the ones that failed
# Toolchain (Metro, the Babel preset, the Hermes CLI), pinned and installed once per machine:
#   ${AAA_RUNTIMES:-$HOME/.cache/axios-amplify-auth/runtimes}/hermes, with its own package.json;
#   Metro's transform cache beside it (hermes-metro-cache).
set -uo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { echo "hermes: $1 ($(($(date +%s) - started)) s)"; }

# Pinned: Metro and React Native's Metro config and Babel preset of React Native 0.86 (Node ≥ 20.19.4;
# 0.87 wants Node 22), and the Hermes VM on the npm registry (0.12, linux64-bin/hermes, no postinstall).
manifest='{ "name": "aaa-hermes-toolchain", "private": true, "dependencies": { "metro": "0.84.6", "metro-cache": "0.84.6", "@react-native/metro-config": "0.86.3", "@react-native/babel-preset": "0.86.3", "@babel/runtime": "7.29.17", "hermes-engine-cli": "0.12.0" } }'
# What the test app depends on besides the package and axios, as a React Native app does.
app_dependencies='"react-native-url-polyfill": "4.0.0", "abort-controller": "3.0.0"'
root=${AAA_RUNTIMES:-${HOME:-/root}/.cache/axios-amplify-auth/runtimes}
toolchain=$root/hermes
vm=node_modules/hermes-engine-cli/linux64-bin/hermes

install_toolchain() {
  # Re-used when present, runnable, and installed from the same pinned manifest.
  if [ -x "$toolchain/$vm" ] && [ -f "$toolchain/node_modules/metro/package.json" ] &&
    [ "$(cat "$toolchain/package.json" 2> /dev/null)" = "$manifest" ] && "$toolchain/$vm" --version > /dev/null 2>&1; then
    return 0
  fi
  local tmp
  mkdir -p "$root" && tmp=$(mktemp -d "$root/.hermes.XXXXXX") || return 1
  echo "$manifest" > "$tmp/package.json"
  # --ignore-scripts: the VM is in the tarball; nothing may be downloaded at install time.
  if ! timeout 600 npm install --no-audit --no-fund --ignore-scripts --no-package-lock --loglevel=error --prefix "$tmp" > /dev/null; then
    echo "hermes: npm install of the toolchain failed" >&2
    rm -rf "$tmp"
    return 1
  fi
  chmod +x "$tmp/$vm" 2> /dev/null
  if ! "$tmp/$vm" --version > /dev/null 2>&1; then
    echo "hermes: the toolchain installed but $vm does not run" >&2
    rm -rf "$tmp"
    return 1
  fi
  # Swap in; a concurrent run that got there first wins (then ours is dropped).
  rm -rf "$toolchain.old"
  [ -e "$toolchain" ] && mv "$toolchain" "$toolchain.old" 2> /dev/null
  mv -T "$tmp" "$toolchain" 2> /dev/null || rm -rf "$tmp"
  rm -rf "$toolchain.old"
  [ -x "$toolchain/$vm" ]
}

install_toolchain || exit 1
step "toolchain ready: $("$toolchain/$vm" --version | grep -o 'Hermes release version: [0-9.]*'), metro $(node -p "require('$toolchain/node_modules/metro/package.json').version")"

work=$(mktemp -d "${TMPDIR:-/tmp}/aaa-hermes.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

if [ -n "${AAA_HERMES_TARBALL:-}" ]; then
  tarball=$(cd "$(dirname "$AAA_HERMES_TARBALL")" && pwd)/$(basename "$AAA_HERMES_TARBALL")
  [ -f "$tarball" ] || { echo "hermes: no tarball at $AAA_HERMES_TARBALL" >&2; exit 1; }
else
  # The project's own build tools, unless already there.
  [ -x node_modules/.bin/rollup ] || timeout 600 npm ci --no-audit --no-fund --prefer-offline > /dev/null || exit 1
  timeout 300 npm run build > "$work/build.log" 2>&1 || { cat "$work/build.log"; echo "hermes: npm run build failed" >&2; exit 1; }
  timeout 120 npm pack --ignore-scripts --silent --pack-destination "$work" > /dev/null || exit 1
  tarball=$(ls "$work"/axios-amplify-auth-*.tgz)
fi
step "package: $tarball"

# The lowest axios the package accepts: the version in its peer range (^1.8.4 → 1.8.4).
lowest=$(tar -xzOf "$tarball" package/package.json | node -e "let s='';process.stdin.on('data',(d)=>(s+=d)).on('end',()=>console.log((/\d+\.\d+\.\d+/.exec(JSON.parse(s).peerDependencies.axios)||[''])[0]))")
read -r -a axios_specs <<< "${AAA_HERMES_AXIOS:-$lowest ^1}"
read -r -a profiles <<< "${AAA_HERMES_PROFILES:-rn-0.73 rn-0.74-0.82 rn-0.83-0.87 rn-0.88}"

failed=0
total_passed=0
total_failed=0
n=0
for spec in "${axios_specs[@]}"; do
  n=$((n + 1))
  app=$work/app-$n
  mkdir -p "$app" && cp -R test/hermes/app "$app/src"
  printf '{ "name": "aaa-hermes-app", "private": true, "dependencies": { "axios-amplify-auth": "file:%s", "axios": "%s", %s } }\n' \
    "$tarball" "$spec" "$app_dependencies" > "$app/package.json"
  # --legacy-peer-deps: react-native-url-polyfill's peer `react-native` is not installed (the app's
  # react-native.ts stands in for the one import of it); the package's peer axios is listed.
  if ! timeout 300 npm install --no-audit --no-fund --ignore-scripts --legacy-peer-deps --no-package-lock \
    --loglevel=error --prefix "$app" > "$work/install-$n.log" 2>&1; then
    cat "$work/install-$n.log"
    echo "hermes: npm install of the test app (axios $spec) failed"
    failed=1
    continue
  fi
  version=$(node -p "require('$app/node_modules/axios/package.json').version")
  if ! timeout 300 node test/hermes/bundle.mjs --toolchain "$toolchain" --app "$app" --entry src/index.ts --out "$app/bundle.js" \
    --cache "$root/hermes-metro-cache" > "$work/bundle-$n.log" 2>&1; then
    cat "$work/bundle-$n.log"
    echo "hermes: Metro could not bundle the app (axios $version)"
    failed=1
    continue
  fi
  step "bundled with axios $version ($(wc -c < "$app/bundle.js") bytes)"
  for profile in "${profiles[@]}"; do
    log=$work/run-$n-$profile.log
    # The profile is one line before the bundle: the app's first module reads it.
    { printf "var __AAA_HERMES_PROFILE__ = '%s';\n" "$profile"; cat "$app/bundle.js"; } > "$app/run-$profile.js"
    timeout 60 "$toolchain/$vm" -w -Xmicrotask-queue "$app/run-$profile.js" > "$log" 2>&1
    status=$?
    summary=$(grep -E "^hermes: $profile \(axios $version\): [0-9]+ passed, [0-9]+ failed$" "$log" | tail -n 1)
    passed=$(echo "$summary" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/p')
    failures=$(echo "$summary" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/p')
    total_passed=$((total_passed + ${passed:-0}))
    total_failed=$((total_failed + ${failures:-1}))
    if [ "${AAA_HERMES_VERBOSE:-}" = 1 ]; then
      grep -v -E '^hermes: .*: [0-9]+ passed, [0-9]+ failed$' "$log" | sed 's/^/  /'
    elif [ "$status" != 0 ] || [ -z "$summary" ] || [ "$failures" != 0 ]; then
      # What failed, and whatever the VM said that is not a check's PASS.
      grep -v -E '^PASS |^hermes: .*: [0-9]+ passed, [0-9]+ failed$' "$log" | head -n 60 | sed 's/^/  /'
    fi
    if [ "$status" != 0 ] || [ -z "$summary" ] || [ "$failures" != 0 ]; then failed=1; fi
    if [ -n "$summary" ]; then
      echo "$summary$([ "$status" != 0 ] && echo " (the VM exited $status)")"
    else
      echo "hermes: $profile (axios $version): no summary (the VM exited $status)"
    fi
  done
done
step "done"
echo "hermes: $total_passed passed, $total_failed failed"
exit "$failed"
