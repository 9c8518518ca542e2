#!/bin/sh
# push.sh STATE_DIR COMMAND…: the debounced background push of live state to the shared store.
# tmux/hook.sh starts it (through tmux run-shell -b, so the hook waits for nothing) when a
# session's state changes and a shared store is configured (@cs-push, set by `cs sync`). At most
# one runs per host; it runs COMMAND (`cs sync --push`), waits until PUSH_EVERY seconds have passed
# since it started, and runs it again if more changes came meanwhile: at most one push every few
# seconds, and the last change always pushed. A push that took longer (its rows are written after
# other hosts can already read them) is followed at once, not PUSH_EVERY seconds later.
PUSH_EVERY=2
dir=$1
shift
[ -d "$dir" ] || exit 0
# run by tmux run-shell -b: anything written, or an exit other than 0, would open in the active
# pane at every state change. So files are made by `true >FILE`: a redirection that fails on `:`
# or `{ …; }` ends a POSIX shell with status 2, on a regular builtin it is that builtin's failure.
exec >/dev/null 2>&1
lock=$dir/push.run pending=$dir/push.pending
true >"$pending" || exit 0 # a state folder that cannot be written: nothing to push from
# a pusher killed mid-way leaves its lock: one older than a minute is taken over
if [ -e "$lock" ] && [ -n "$(find "$lock" -mmin +1 2>/dev/null)" ]; then rm -f "$lock"; fi
set -C
true >"$lock" || exit 0 # one runs already: it sees the pending mark
set +C
while :; do
  while [ -e "$pending" ]; do
    rm -f "$pending"
    started=$(date +%s)
    "$@" >/dev/null 2>&1 </dev/null
    left=$((started + PUSH_EVERY - $(date +%s)))
    [ "$left" -le 0 ] || sleep "$left"
  done
  rm -f "$lock"
  # a change marked after the last look, while this one still held the lock
  [ -e "$pending" ] || exit 0
  set -C
  true >"$lock" || exit 0
  set +C
done
