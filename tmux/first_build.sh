#!/bin/sh
# The plugin's first load from a fresh clone (TPM's prefix + I): nothing is built yet, so this
# runs ./install.sh in the background (run-shell -b), shows "cs: building…" in the status line
# through #{@cs-build-status} meanwhile, and then says whether cs is ready. The keys are bound
# already: they work as soon as the bundle exists, without a tmux restart. Output: $CS_ROOT/install.log.

CURRENT_DIR="$(cd "$(dirname "$0")" && pwd)"
. "$CURRENT_DIR/variables.sh"
. "$CURRENT_DIR/helpers.sh"

log="$CS_ROOT/install.log"
# run-shell -b shows what a job prints in the pane: say everything through tmux instead
exec >/dev/null 2>&1

# set_build_status TEXT: shown at the front of status-right ('' hides it), redrawn at once.
set_build_status() {
	tmux set-option -gq "$build_status_option" "$1"
	for client in $(tmux list-clients -F '#{client_name}'); do tmux refresh-client -S -t "$client"; done
}

set_build_status "#[fg=yellow]cs: building (first load)…#[default] "
if "$CS_ROOT/install.sh" >"$log" 2>&1 </dev/null; then
	set_build_status ''
	display_message "cs is ready: prefix + $(get_tmux_option "$picker_key_option" "$default_picker_key" | cut -d' ' -f1) opens the picker"
elif [ -f "$CS_ROOT/dist/cs.cjs" ]; then
	# built, but a program cs needs (claude, fzf…) is missing: install says which
	set_build_status ''
	display_message "cs is built, but something it needs is missing: see $log"
else
	set_build_status "#[fg=red]cs: build failed, see $log#[default] "
	display_message "cs: the build failed, see $log"
fi
