#!/bin/sh
# Dashboard key: `cs ls` in a popup, kept open until a key is pressed.

CURRENT_DIR=${0%/*}
. "$CURRENT_DIR/variables.sh"
. "$CURRENT_DIR/helpers.sh"

main() {
	require_built
	"$CS_BIN" ls
	wait_for_key
}
main
