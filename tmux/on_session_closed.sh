#!/bin/sh
# session-closed hook (run-shell -b): re-indexes in the background so that a closed session shows
# as history at once. Quiet: nothing it prints reaches the user.

CURRENT_DIR=${0%/*}
. "$CURRENT_DIR/variables.sh"
. "$CURRENT_DIR/helpers.sh"

main() {
	option_on "$sync_on_close_option" "$default_sync_on_close" || return 0
	"$CS_BIN" sync >/dev/null 2>&1
	return 0
}
main
