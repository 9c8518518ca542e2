#!/usr/bin/env bash
# What the test suites need beside `npm ci`, on a Debian machine: the programs they run for real
# (as root, from Debian's packages), FerretDB 1.24.2 built from its Go module source, and a
# Node 22 from npm for the install suite. Each is cached and found again: a second run installs
# and builds nothing. Then `npm ci` (better-sqlite3 compiled against this Node's own headers
# where no prebuilt binary can be had). The README's test command is `test/setup.sh && npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

# tmux, fzf: live state, plugin, picker; zsh, fish: completions; openssh: the second host;
# openssl: the shared store's TLS certificates; mount/util-linux: a full and a read-only disk;
# a toolchain: better-sqlite3 compiled where no prebuilt binary can be had; git: TPM, cs update;
# cron: the crontab that `cs cron` edits.
PACKAGES="tmux fzf zsh fish git python3 make g++ procps openssh-server openssh-client openssl ca-certificates mount util-linux cron"

missing=""
for p in $PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then echo "test/setup.sh: missing Debian packages:$missing (run it as root, or apt-get install them)" >&2; exit 3; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# FerretDB: the harness finds it where build-ferretdb.sh puts it.
if [ -x /usr/local/go/bin/go ]; then export PATH="$PATH:/usr/local/go/bin"; fi
test/harness/build-ferretdb.sh >/dev/null

# Node 22 for the install suite (test/harness/node.ts finds it here).
node22="$(test/harness/node22.sh --path)"
if [ ! -x "$node22" ]; then test/harness/node22.sh >/dev/null; fi
if [ -z "${npm_config_nodedir:-}" ]; then
  nodedir=$(sh scripts/node-headers.sh)
  if [ -n "$nodedir" ]; then export npm_config_nodedir="$nodedir"; fi
fi
npm ci --no-audit --no-fund
echo "test/setup.sh: ready (FerretDB $(test/harness/build-ferretdb.sh --path), Node 22 $node22)"
