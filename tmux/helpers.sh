# Helpers shared by plugin.tmux and every script under tmux/: sourced after variables.sh by a
# script that has set CURRENT_DIR to its own folder.

CS_ROOT="${CURRENT_DIR%/*}"
# the cs CLI of this checkout: scripts find it without asking tmux
CS_BIN="$CS_ROOT/bin/cs"

# Every tmux call of cs's scripts: $CS_TMUX_SOCKET (tests, benchmarks) picks the server; -u, as
# lib/tmux.ts and bin/cs, or a server started without a UTF-8 locale prints tabs and what is not
# ASCII in -F output as _ (the picker's fields, a session's name).
tmux() {
	command tmux -u ${CS_TMUX_SOCKET:+-L "$CS_TMUX_SOCKET"} "$@"
}

# Sets $state_home: XDG_STATE_HOME when absolute (a relative one is ignored, as the XDG spec says
# and lib/config.ts does), else ~/.local/state. A variable, not output: no fork on the picker's path.
set_state_home() {
	case ${XDG_STATE_HOME-} in
	/*) state_home=$XDG_STATE_HOME ;;
	*) state_home=$HOME/.local/state ;;
	esac
}

# get_tmux_option NAME DEFAULT: the global option, DEFAULT when unset. Set to '' stays ''.
get_tmux_option() {
	if [ -n "$(tmux show-option -gq "$1")" ]; then
		tmux show-option -gqv "$1"
	else
		printf '%s\n' "$2"
	fi
}

# option_on NAME DEFAULT: an on/off option is on unless off, 0, no or false (the words
# tmux/hook.sh reads @cs-alert with, on its own: it sources nothing)
option_on() {
	case $(get_tmux_option "$1" "$2") in off | 0 | no | false) return 1 ;; esac
}

# quote WORD: sets $quoted to WORD as one sh word, for command strings that tmux or fzf hand to
# sh -c (a variable, not output: a command substitution would fork, on the picker's path).
quote() {
	rest=$1 acc=
	while :; do
		case $rest in
		*\'*) acc="$acc${rest%%\'*}'\\''" rest=${rest#*\'} ;;
		*) break ;;
		esac
	done
	quoted="'$acc$rest'"
}

# tmux_version_at_least MAJOR MINOR
tmux_version_at_least() {
	version=$(tmux -V | sed 's/^[^0-9]*\([0-9]*\)\.\([0-9]*\).*/\1 \2/')
	set -- "$1" "$2" ${version}
	[ "$3" -gt "$1" ] || { [ "$3" -eq "$1" ] && [ "$4" -ge "$2" ]; }
}

# display_message TEXT: shown for 5 s on every attached client (none attached: nowhere), the
# user's display-time restored afterwards.
display_message() {
	saved=$(get_tmux_option display-time 750)
	tmux set-option -gq display-time 5000
	for client in $(tmux list-clients -F '#{client_name}'); do
		tmux display-message -c "$client" "$1"
	done
	tmux set-option -gq display-time "$saved"
}

# wait_for_key: keeps a popup open until the user has read it.
wait_for_key() {
	printf '%s' "${1:-press any key}"
	stty -icanon -echo 2>/dev/null
	dd bs=1 count=1 >/dev/null 2>&1
	stty icanon echo 2>/dev/null
}

# require_built: in a popup opened while tmux/first_build.sh still builds cs, say so and wait.
require_built() {
	[ -f "$CS_ROOT/dist/cs.cjs" ] && return 0
	printf 'cs is not built yet: the plugin is building it (see the status line,\n'
	printf 'and %s). The keys work as soon as it is done.\n\n' "$CS_ROOT/install.log"
	wait_for_key
	exit 3
}
