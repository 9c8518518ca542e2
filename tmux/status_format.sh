# The formats that replace #{cs_status} and #{cs_session_state} in status-left/right: pure tmux
# formats over the @cs_state option of each session, so a status refresh starts no process.
# Sourced by plugin.tmux after variables.sh and helpers.sh.

# States in the order #{cs_status} shows them: what needs the user first.
status_states="waiting working idle dead"

state_colour() {
	case $1 in
	waiting) get_tmux_option "$color_waiting_option" "$default_color_waiting" ;;
	working) get_tmux_option "$color_working_option" "$default_color_working" ;;
	idle) get_tmux_option "$color_idle_option" "$default_color_idle" ;;
	dead) get_tmux_option "$color_dead_option" "$default_color_dead" ;;
	esac
}

# format_word TEXT: sets $escaped to TEXT as itself inside a tmux conditional: `#`, `,` and `}`
# written `##`, `#,` and `#}` (a symbol of `,` ended the condition's branch). A `%` stays tmux's:
# the status line goes through strftime once a level of the format (`%%` in a loop is read twice).
format_word() {
	word=$1 escaped=
	while [ -n "$word" ]; do
		rest=${word#?}
		char=${word%"$rest"}
		case $char in '#' | ',' | '}') escaped="$escaped#$char" ;; *) escaped="$escaped$char" ;; esac
		word=$rest
	done
}

# status_symbol: @cs-status-symbol, escaped for a conditional.
status_symbol() {
	format_word "$(get_tmux_option "$status_symbol_option" "$default_status_symbol")"
	printf '%s' "$escaped"
}

# is_in_state STATE: a tmux condition, true for the session being formatted.
is_in_state() {
	printf '#{==:#{@cs_state},%s}' "$1"
}

# sessions_in_state STATE SYMBOL STYLE: one entry per session in STATE (a #{S:} loop).
sessions_in_state() {
	entry="#[fg=$(state_colour "$1")]$2"
	[ "$3" = names ] && entry="$entry #{session_name} "
	printf '#{S:#{?%s,%s#[fg=default],}}' "$(is_in_state "$1")" "$entry"
}

# cs_status_format: every cs session as a coloured symbol, WAITING first.
cs_status_format() {
	symbol=$(status_symbol)
	style=$(get_tmux_option "$status_style_option" "$default_status_style")
	for state in $status_states; do
		sessions_in_state "$state" "$symbol" "$style"
	done
}

# cs_session_state_format: the current session's state in its colour; nothing outside cs.
cs_session_state_format() {
	colour=$(state_colour idle)
	for state in dead working waiting; do
		colour="#{?$(is_in_state "$state"),$(state_colour "$state"),$colour}"
	done
	symbol=$(status_symbol)
	printf '#{?#{@cs_state},#[fg=%s]%s #{@cs_state}#[fg=default],}' "$colour" "$symbol"
}
