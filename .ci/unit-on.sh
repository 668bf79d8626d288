#!/usr/bin/env bash
# Runs the unit suite (`vitest run`, the project's own vitest.config.ts, every test file) on one runtime:
#   bash .ci/unit-on.sh node20|node22|node24|node26|deno|bun [extra vitest args...]
# node20 is the machine's own `node`; the others come from .ci/runtimes.sh (installed and cached on first use).
# Vitest itself runs on the runtime (bun --bun / deno run -A), so its forked workers, and with them
# the tests and the library under test, run on that runtime's globals. To prove it, a probe setup file
# (generated under node_modules/.cache, not in the repo) records the runtime of every test file's worker,
# and the run fails if any worker was not the runtime asked for. AAA_PROBE=0 runs plain `vitest run`.
# Exit status: vitest's (or 3 if the probe found a wrong runtime, 2 for bad usage).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runtime=${1:-}
shift || true
export AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1
# Deno: no update check or permission prompt (no network, no stdin in CI). Deno 2 finds package.json and
# uses the npm-installed node_modules as is; it runs spawn(process.execPath, [script]) as `deno run -A script`.
export DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1

case "$runtime" in
  node20) bindir=$(dirname "$(command -v node)") ;;
  node22 | node24 | node26 | deno | bun)
    # shellcheck source=runtimes.sh
    source "$root/.ci/runtimes.sh" > /dev/null || { echo "unit-on.sh: could not install the runtimes" >&2; exit 1; }
    var="AAA_$(echo "$runtime" | tr '[:lower:]' '[:upper:]')_BIN"
    bindir=${!var} ;;
  *) echo "usage: $0 node20|node22|node24|node26|deno|bun [vitest args...]" >&2; exit 2 ;;
esac
export PATH="$bindir:$PATH"

# package.test.ts and size.test.ts read dist/: build it (with the machine's node) when it is missing.
if [ ! -f dist/index.js ] || [ ! -f dist/core.js ]; then
  PATH=${PATH#"$bindir:"} npm run build --silent || exit 1
fi

config=()
if [ "${AAA_PROBE:-1}" != 0 ]; then
  probe_dir=$root/node_modules/.cache/aaa-unit-on/$runtime-$$
  mkdir -p "$probe_dir"
  export AAA_PROBE_FILE=$probe_dir/workers.jsonl
  : > "$AAA_PROBE_FILE"
  cat > "$probe_dir/probe.mjs" <<'JS'
import { appendFileSync } from 'node:fs';
import { beforeAll } from 'vitest';
const g = globalThis;
const runtime = g.Deno ? `deno ${g.Deno.version.deno}` : g.Bun ? `bun ${g.Bun.version}` : `node ${process.versions.node}`;
beforeAll(({}, suite) => {
  appendFileSync(process.env.AAA_PROBE_FILE, JSON.stringify({
    file: suite?.file?.name ?? suite?.name, runtime, pid: process.pid, execPath: process.execPath,
    navigatorLocks: typeof g.navigator?.locks?.request === 'function',
  }) + '\n');
});
JS
  cat > "$probe_dir/vitest.config.mjs" <<JS
import { mergeConfig } from 'vitest/config';
import base from '$root/vitest.config.ts';
export default mergeConfig(base, { root: '$root', test: { setupFiles: ['$probe_dir/probe.mjs'] } });
JS
  config=(--config "$probe_dir/vitest.config.mjs")
fi

vitest=node_modules/vitest/vitest.mjs
case "$runtime" in
  node*) cmd=(node "$vitest" run) ;;
  bun) cmd=(bun --bun "$vitest" run) ;;
  deno) cmd=(deno run -A "$vitest" run) ;;
esac
echo "unit-on.sh: $runtime: $(command -v "${cmd[0]}") ($("${cmd[0]}" --version | head -n 1))"
echo "unit-on.sh: ${cmd[*]} ${config[*]} $*"
started=$(date +%s)
timeout --kill-after=30 "${AAA_UNIT_TIMEOUT:-1200}" "${cmd[@]}" "${config[@]}" "$@"
status=$?
echo "unit-on.sh: $runtime: exit $status after $(( $(date +%s) - started )) s"

if [ "${AAA_PROBE:-1}" != 0 ]; then
  want=$runtime; case "$runtime" in node*) want="node ${runtime#node}." ;; esac
  node -e '
    const [file, want] = process.argv.slice(1);
    const rows = require("fs").readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const by = {};
    for (const r of rows) (by[`${r.runtime} (navigator.locks: ${r.navigatorLocks}, execPath ${r.execPath})`] ??= []).push(r.file);
    for (const [k, files] of Object.entries(by)) console.log(`unit-on.sh: test workers: ${k}: ${files.length} files`);
    const wrong = rows.filter((r) => !r.runtime.startsWith(want));
    if (rows.length === 0) { console.log("unit-on.sh: probe: no test file reported its runtime"); process.exit(3); }
    if (wrong.length) { console.log(`unit-on.sh: probe: NOT on ${want}: ${wrong.map((r) => r.file).join(", ")}`); process.exit(3); }
  ' "$AAA_PROBE_FILE" "$want" || { [ "$status" = 0 ] && status=3; }
  rm -rf "$probe_dir"
fi
exit "$status"
