#!/usr/bin/env bash
# Builds FerretDB 1.24.2 (the MongoDB-wire server the shared-store tests run) from its Go module
# source into a cache outside the checkout, and prints the binary's path. A second run finds the
# binary and builds nothing. `go install …@v1.24.2` is not used: the module ships without
# build/version/version.txt and that binary panics at start.
#   CS_FERRETDB_CACHE  the cache folder (default /var/cache/cs-ferretdb as root, else ~/.cache/cs-ferretdb)
#   GO                 the go binary (default: go on PATH, else /usr/local/go/bin/go)
# With --path: print where the binary is (or would be) and build nothing.
set -euo pipefail

version=v1.24.2
if [ "$(id -u)" = 0 ]; then default_cache=/var/cache/cs-ferretdb; else default_cache="${XDG_CACHE_HOME:-$HOME/.cache}/cs-ferretdb"; fi
cache="${CS_FERRETDB_CACHE:-$default_cache}"
bin="$cache/ferretdb-$version"

if [ "${1:-}" = --path ] || [ -x "$bin" ]; then echo "$bin"; exit 0; fi

go="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
[ -x "$go" ] || { echo "build-ferretdb: no Go toolchain (set GO= or install Go)" >&2; exit 1; }

mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOTELEMETRY=off
dir="$("$go" mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$dir" ] || { echo "build-ferretdb: go mod download gave no source folder" >&2; exit 1; }
cp -r "$dir" "$work/src"
chmod -R u+w "$work/src"
printf '%s\n' "$version" > "$work/src/build/version/version.txt"
(cd "$work/src" && "$go" build -o "$work/ferretdb" ./cmd/ferretdb) >&2
mv "$work/ferretdb" "$bin"   # atomic: a concurrent run sees either no binary or a whole one
echo "$bin"
