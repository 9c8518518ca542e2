#!/bin/sh
# Installs cs from this checkout: ./install.sh [--bin-dir DIR]
#
# Checks Node and npm, installs the runtime dependencies and builds the bundle (better-sqlite3 is
# compiled against this Node's own headers when no prebuilt binary can be downloaded), then runs
# `cs install`: the other programs checked (tmux, git, fzf, claude), `cs` linked into
# ~/.local/bin, the line for ~/.tmux.conf printed. Safe to run again (after a `git pull` it
# rebuilds); touches no shell start-up file. The tmux plugin runs it on its first load.
set -eu
ROOT=$(cd "$(dirname "$0")" && pwd)
CALLER=$(pwd) # where a relative --bin-dir was typed
cd "$ROOT"

say() { printf 'cs: %s\n' "$1" >&2; }
# fail MESSAGE FIX: exit 3, as cs does when a needed program is missing
fail() {
	say "$1"
	printf '    %s\n' "$2" >&2
	exit 3
}

command -v node >/dev/null 2>&1 ||
	fail 'Node.js is not installed: cs needs 20.19 or later' 'apt-get install nodejs npm (Debian 13; older releases: https://nodejs.org)'
# the minimum is package.json's engines field, read rather than repeated
node -e '
	const want = require("./package.json").engines.node.match(/(\d+)\.(\d+)/).slice(1).map(Number)
	const [a, b] = process.versions.node.split(".").map(Number)
	process.exit(a > want[0] || (a === want[0] && b >= want[1]) ? 0 : 1)' ||
	fail "Node.js $(node --version) is too old: cs needs $(node -p 'require("./package.json").engines.node')" \
		'install a newer Node.js (https://nodejs.org, or nvm), then run ./install.sh again'
command -v npm >/dev/null 2>&1 || fail 'npm is not installed' 'apt-get install npm'

# Where no prebuilt better-sqlite3 can be downloaded, node-gyp compiles it and would download
# Node's headers too: give it this Node's own, when they are of this very version.
if [ -z "${npm_config_nodedir:-}" ]; then
	nodedir=$(sh scripts/node-headers.sh)
	if [ -n "$nodedir" ]; then export npm_config_nodedir="$nodedir"; fi
fi

# The dependencies: installed when there are none, and again when package-lock.json changed
# since install.sh installed them (its stamp). A node_modules installed otherwise (a developer's
# `npm ci`, a link to a shared one) is left alone, unless cs's own dependency is missing from it
# (an npm ci that failed half way empties it). `cs update` writes the same stamp (lib/update.ts).
stamp=node_modules/.cs-install-stamp
lock=$(cksum <package-lock.json)
if [ ! -f node_modules/better-sqlite3/package.json ] || { [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$lock" ]; }; then
	say 'installing the dependencies (npm ci --omit=dev); this also builds the bundle'
	if ! npm ci --omit=dev --no-audit --no-fund --no-update-notifier --loglevel=error; then
		missing=
		for tool in python3 make g++; do command -v $tool >/dev/null 2>&1 || missing="$missing $tool"; done
		[ -z "$missing" ] || fail "npm ci failed: better-sqlite3 has no prebuilt binary here and must be compiled, but$missing is missing" \
			"apt-get install python3 make g++, then run ./install.sh again"
		fail 'npm ci failed (see above)' 'fix what npm reports, then run ./install.sh again'
	fi
	printf '%s\n' "$lock" >"$stamp"
elif [ ! -f dist/cs.cjs ] || [ -n "$(find scripts lib package.json -newer dist/cs.cjs -print -quit)" ]; then
	say 'building the bundle'
	node scripts/build.mjs
fi

cd "$CALLER" 2>/dev/null || cd "$ROOT"
exec node "$ROOT/bin/cs.mjs" install "$@"
