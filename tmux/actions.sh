#!/bin/sh
# The picker's actions, each a call back into the cs CLI; prompts read from the popup's terminal.
# usage: actions.sh attach TARGET | launch | rename TARGET ID | kill TARGET | preview TARGET ID

CURRENT_DIR=${0%/*}
. "$CURRENT_DIR/variables.sh"
. "$CURRENT_DIR/helpers.sh"

# ask PROMPT [DEFAULT]: a line from the user, DEFAULT when empty.
ask() {
	printf '%s' "$1${2:+ [$2]}: " >&2
	read -r answer || answer=
	printf '%s' "${answer:-$2}"
}

# cs ARGS: the CLI; a failure stays on screen until the user has read it.
cs() {
	"$CS_BIN" "$@" || wait_for_key "(press any key) "
}

# session_of TARGET: sets $session to what the row names. A live row names its tmux session by
# tmux's id of it ($N: exact, whatever the name holds, renamed or not), looked up now, when the
# list may be minutes old: a session gone since is said so, never taken for another of a like
# name (cs's own lookup would try ids, names and projects next). A history row names its claude
# session by its full id, as it is.
session_of() {
	case $1 in
	\$*)
		# display-message alone prints nothing and succeeds for a session that is gone
		session=$(tmux has-session -t "$1" \; display-message -p -t "$1" '#{session_name}' 2>/dev/null) &&
			return 0
		printf 'that tmux session has ended since the list was made\n'
		wait_for_key "(press any key) "
		return 1
		;;
	esac
	session=$1
}

attach() {
	[ -n "$1" ] && session_of "$1" || return 0
	cs attach -- "$session"
}

launch() {
	name=$(ask 'New session name')
	[ -n "$name" ] || return 0
	folder=$(ask 'Folder' "$PWD")
	"$CS_BIN" launch "$name" --cwd "$folder" >/dev/null && cs attach -- "$name" ||
		wait_for_key "(press any key) "
}

rename() {
	session_of "$1" || return 0
	name=$(ask "New name for $session")
	[ -n "$name" ] && cs rename -- "${2:-$session}" "$name"
}

kill_session() {
	session_of "$1" || return 0
	case $(ask "Kill the tmux session of $session? [y/N]") in
	y | Y | yes) cs kill -- "$session" ;;
	esac
}

# preview TARGET ID: the last exchanges of ID's transcript; a live session's screen when it has
# none (launched a moment ago: an id, no transcript yet) or no id.
preview() {
	case $1 in
	'$'*) [ -n "$2" ] && "$CS_BIN" preview -- "$2" 2>/dev/null && return ;;
	*) exec "$CS_BIN" preview -- "$2" ;;
	esac
	tmux capture-pane -p -J -t "$1" 2>/dev/null
}

main() {
	action=$1
	shift
	case $action in
	attach) attach "$@" ;;
	launch) launch ;;
	rename) rename "$@" ;;
	kill) kill_session "$@" ;;
	preview) preview "$@" ;;
	*) printf 'usage: actions.sh attach|launch|rename|kill|preview ...\n' >&2 && exit 2 ;;
	esac
}
main "$@"
