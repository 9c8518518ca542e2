#!/bin/sh
# cs's tmux plugin (TPM, or `run-shell /path/to/plugin.tmux`): binds the picker and dashboard
# keys, publishes cs's paths, fills #{cs_status} and #{cs_session_state} in the status line and
# syncs cs when a session closes. Loading it twice changes nothing.

CURRENT_DIR="$(cd "$(dirname "$0")" && pwd)/tmux"
. "$CURRENT_DIR/variables.sh"
. "$CURRENT_DIR/helpers.sh"
. "$CURRENT_DIR/status_format.sh"
. "$CURRENT_DIR/literal.sh"

publish_paths() {
	tmux set-option -gq "$cs_bin_option" "$CS_BIN"
	tmux set-option -gq "$picker_script_option" "$CURRENT_DIR/picker.sh"
	tmux set-option -gq "$list_script_option" "$CURRENT_DIR/list.sh"
}

# bind_popup KEYS SCRIPT: each key opens SCRIPT in a popup (a split before tmux 3.2).
bind_popup() {
	quote "$2"
	command=$quoted
	width=$(get_tmux_option "$popup_width_option" "$default_popup_width")
	height=$(get_tmux_option "$popup_height_option" "$default_popup_height")
	set -f # the keys are words: `?` or `*` is a key, never a file name
	for key in $1; do
		literal "$key" # `M-;` is a key, not the end of the command
		if tmux_version_at_least 3 2; then
			tmux bind-key "$value" display-popup -E -w "$width" -h "$height" -d '#{pane_current_path}' "$command"
		else
			tmux bind-key "$value" split-window -c '#{pane_current_path}' "$command"
		fi
	done
	set +f
}

set_bindings() {
	bind_popup "$(get_tmux_option "$picker_key_option" "$default_picker_key")" "$CURRENT_DIR/picker.sh"
	bind_popup "$(get_tmux_option "$dashboard_key_option" "$default_dashboard_key")" "$CURRENT_DIR/dashboard.sh"
}

warn_without_popups() {
	tmux_version_at_least 3 2 ||
		display_message "cs: tmux $(tmux -V | cut -d' ' -f2) has no popups (3.2+): the picker opens in a split"
}

# replace_all TEXT PATTERN REPLACEMENT
replace_all() {
	text=$1 out=
	while :; do
		case $text in
		*"$2"*) out="$out${text%%"$2"*}$3" text=${text#*"$2"} ;;
		*) break ;;
		esac
	done
	printf '%s' "$out$text"
}

# The placeholders are gone once replaced, so a second load finds nothing to do.
interpolate_status() {
	status=$(cs_status_format)
	session_state=$(cs_session_state_format)
	for side in status-left status-right; do
		value=$(get_tmux_option "$side" "")
		new=$(replace_all "$value" '#{cs_status}' "$status")
		new=$(replace_all "$new" '#{cs_session_state}' "$session_state")
		[ "$new" = "$value" ] && continue
		literal "$new"
		tmux set-option -gq "$side" "$value"
	done
}

has_close_hook() {
	tmux show-hooks -g session-closed | grep -q 'on_session_closed\.sh'
}

# Appended (-a), so the user's own session-closed hooks stay. Set whatever @cs-sync-on-close
# says now: on_session_closed.sh reads it each time.
set_close_hook() {
	has_close_hook && return 0
	quote "$CURRENT_DIR/on_session_closed.sh"
	# a hook is a command that tmux parses as it stores it: the sh word goes in its double quotes,
	# where \ " and $ are tmux's own (unquoted, a folder with a blank split the command)
	word=$(printf '%s\n' "$quoted" | sed 's/[\\"$]/\\&/g')
	tmux set-hook -ga session-closed "run-shell -b \"$word\""
}

# A fresh clone (TPM) has no bundle: build it in the background, shown in the status line.
build_if_needed() {
	[ -f "$CS_ROOT/dist/cs.cjs" ] && [ -d "$CS_ROOT/node_modules" ] && return 0
	case $(tmux show-option -gqv "$build_status_option") in *building*) return 0 ;; esac # already building
	right=$(get_tmux_option status-right "")
	case $right in *"#{$build_status_option}"*) ;; *) tmux set-option -gq status-right "#{$build_status_option}$right" ;; esac
	tmux set-option -gq "$build_status_option" "#[fg=yellow]cs: building (first load)…#[default] "
	quote "$CURRENT_DIR/first_build.sh"
	tmux run-shell -b "$quoted"
}

main() {
	build_if_needed
	publish_paths
	set_bindings
	warn_without_popups
	interpolate_status
	set_close_hook
}
main
