#!/usr/bin/env bash
# examples/nextjs end to end: the example's own dependencies (npm ci, from the registry through
# npm's cache), the project packed as `npm pack` publishes it and installed into the example, then
# test/nextjs (next build, next start on 127.0.0.1, Chromium and 50 users' cookie jars against a
# local Cognito and an API that verifies the tokens). Nothing leaves the machine but npm's own
# registry requests. Runs from a fresh clone with node and npm (and Debian's chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1 NEXT_TELEMETRY_DISABLED=1
started=$(date +%s)
step() { echo "nextjs: $1 ($(( $(date +%s) - started )) s)"; }

# The browser test drives Debian's Chromium (playwright-core downloads no browser); .ci/run installs it.
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
fi

# The project's own tools (rollup, vitest, cognito-local, playwright-core), unless already there.
[ -x node_modules/.bin/vitest ] && [ -x node_modules/.bin/rollup ] || npm ci --no-audit --no-fund --prefer-offline
step "project dependencies ready"

npx rollup -c --silent
pack=$(mktemp -d)
trap 'rm -rf "$pack"' EXIT
npm pack --ignore-scripts --silent --pack-destination "$pack" > /dev/null
tarball=$(ls "$pack"/axios-amplify-auth-*.tgz)
step "packed $(basename "$tarball")"

(
  cd examples/nextjs
  npm ci --no-audit --no-fund --prefer-offline
  # The package as a user installs it, without writing the temporary path into package.json or the lockfile.
  npm install --no-save --no-audit --no-fund --prefer-offline "$tarball"
)
step "examples/nextjs installed"

npx vitest run --config vitest.nextjs.config.ts
step "done"
