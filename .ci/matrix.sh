#!/usr/bin/env bash
# The runtime and peer matrix: the whole unit suite on Node 22, 24, 26, Deno and Bun (Node 20 runs
# it in `npm test`), under React Native's globals, and the end-to-end suite against the oldest peers
# package.json accepts (npm aliases aws-amplify-lowest, axios-lowest) and Amplify v5.
# Writes the compatibility table to matrix-report.md (not committed);
# `bash .ci/matrix.sh --update-docs` (or `node .ci/compatibility-table.mjs matrix-report.md` after a
# run) puts it into docs/compatibility.md between its markers.
set -uo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1
report=matrix-report.md
rows=()
failed=0

# The closing "tests: N passed, N failed, N skipped" line of the project's summary reporter.
summary() { grep -E '^tests: [0-9]+ passed' "$1" | tail -n 1 | sed 's/^tests: //'; }

run() { # label version-command... -- command...
  local label=$1 version=$2; shift 2
  local log started status result
  log=$(mktemp)
  started=$(date +%s)
  "$@" > "$log" 2>&1
  status=$?
  result=$(summary "$log")
  echo "matrix: $label ($version): exit $status, ${result:-no summary} in $(( $(date +%s) - started )) s"
  if [ "$status" != 0 ] || [ -z "$result" ]; then
    failed=1
    grep -E 'FAIL|✗|×|Error' "$log" | head -n 40
  fi
  rows+=("| $label | $version | ${result:-no result} |")
  rm -f "$log"
}

# shellcheck source=runtimes.sh
source .ci/runtimes.sh > /dev/null || { echo "matrix: could not install the runtimes" >&2; exit 1; }
for runtime in node22 node24 node26 deno bun; do
  var="AAA_$(echo "$runtime" | tr '[:lower:]' '[:upper:]')_BIN"
  bin=${!var}
  case "$runtime" in node*) version="Node.js $("$bin/node" --version)" ;; deno) version="Deno $("$bin/deno" --version | head -n 1 | cut -d' ' -f2)" ;; bun) version="Bun $("$bin/bun" --version)" ;; esac
  # Not the Chromium tests: the library runs in Chromium there, the runtime only hosts the harness
  # (they run in `npm test`). Generated cases (the differentials, the interleavings) 300 each, fully on Node 20 and per axios version.
  run "unit suite" "$version" env FC_RUNS=300 bash .ci/unit-on.sh "$runtime" --exclude 'test/browser/**' --exclude 'test/iam/browser-signer.test.ts'
done
run "unit suite, React Native globals" "Node.js $(node --version)" env FC_RUNS=300 npx vitest run --config vitest.react-native.config.ts
# axios across the peer range: the whole unit suite on the lowest, and every route a token can take
# (redirects, routes, the differentials) on the last release of each minor whose adapters or
# redirect handling differ from the next one's (see vitest.axios.config.ts).
axios_version() { node -p "require('./node_modules/$1/package.json').version"; }
run "unit suite" "axios $(axios_version axios-lowest)" env AAA_AXIOS=axios-lowest AAA_AXIOS_SUITE=unit npx vitest run --config vitest.axios.config.ts
for alias in axios-1.12 axios-1.19 axios-1.20; do
  run "redirects and routes" "axios $(axios_version "$alias")" env AAA_AXIOS="$alias" npx vitest run --config vitest.axios.config.ts
done
amplify_low=$(node -p "require('./node_modules/aws-amplify-lowest/package.json').version")
axios_low=$(node -p "require('./node_modules/axios-lowest/package.json').version")
run "end to end, oldest peers" "aws-amplify $amplify_low, axios $axios_low" npx vitest run --config vitest.peers.config.ts
amplify=$(node -p "require('./node_modules/aws-amplify/package.json').version")
amplify5=$(node -p "require('./node_modules/aws-amplify-v5/package.json').version")
axios=$(node -p "require('./node_modules/axios/package.json').version")
rows+=("| whole suite (\`npm test\`) | Node.js $(node --version), aws-amplify $amplify and $amplify5, axios $axios | see \`npm test\` |")

{
  echo '| what | runtime / peers | result |'
  echo '| --- | --- | --- |'
  printf '%s\n' "${rows[@]}"
} > "$report"
cat "$report"
[ "${1:-}" = --update-docs ] && node .ci/compatibility-table.mjs "$report"
exit "$failed"
