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

attach() {
	[ -n "$1" ] || return 0
	cs attach "$1"
}

launch() {
	name=$(ask 'New session name')
	[ -n "$name" ] || return 0
	folder=$(ask 'Folder' "$PWD")
	"$CS_BIN" launch "$name" --cwd "$folder" >/dev/null && cs attach "$name" ||
		wait_for_key "(press any key) "
}

rename() {
	name=$(ask "New name for $1")
	[ -n "$name" ] && cs rename "${2:-$1}" "$name"
}

kill_session() {
	case $(ask "Kill the tmux session of $1? [y/N]") in
	y | Y | yes) cs kill "$1" ;;
	esac
}

# A transcript when the session has one; the screen of a session launched a moment ago.
preview() {
	if [ -n "$2" ]; then
		exec "$CS_BIN" preview "$2"
	fi
	tmux capture-pane -p -J -t "=$1:" 2>/dev/null
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
