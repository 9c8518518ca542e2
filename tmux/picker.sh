#!/bin/sh
# Picker key: fzf over every session, fed by list.sh. Each key calls the cs CLI back through
# actions.sh; the header is generated from the same table as the binds.

CURRENT_DIR=${0%/*}
. "$CURRENT_DIR/variables.sh"
. "$CURRENT_DIR/helpers.sh"

require_fzf() {
	command -v fzf >/dev/null 2>&1 && return 0
	printf 'cs: the picker needs fzf, which is not installed.\n'
	printf '    apt-get install fzf   (or: brew install fzf, dnf install fzf)\n\n'
	wait_for_key
	exit 3
}

# bind_key KEY LABEL ACTION: one fzf bind, and its entry in the header.
bind_key() {
	binds="${binds:+$binds,}$1:$3"
	header="${header:+$header  }$1 $2"
}

set_binds() {
	quote "$CURRENT_DIR/actions.sh"
	actions=$quoted
	quote "$CURRENT_DIR/list.sh"
	list=$quoted
	quote "$mode_file"
	list="$list $quoted"
	bind_key "$attach_key" attach "become($actions attach {1})"
	bind_key "$launch_key" new "become($actions launch)"
	bind_key "$rename_key" rename "execute($actions rename {1} {2})+reload($list)"
	bind_key "$kill_key" kill "execute($actions kill {1})+reload($list)"
	bind_key "$mode_key" history "reload($list next)"
	preview="$actions preview {1} {2}"
}

# The file that keeps the list's mode (list.sh writes it): in cs's own state folder (private,
# so a name of this process's id is safe, and no mktemp runs on the way to the first line),
# else a fresh temporary file.
set_mode_file() {
	set_state_home
	state=$state_home/cs
	if [ -d "$state" ] && [ -w "$state" ]; then
		mode_file=$state/picker-mode.$$
	else
		mode_file=$(mktemp "${TMPDIR:-/tmp}/cs-picker.XXXXXX")
	fi
}

run_fzf() {
	"$CURRENT_DIR/list.sh" "$mode_file" |
		"$CURRENT_DIR/fzf.sh" --prompt='cs> ' --header-lines=1 --header="$header" --bind="$binds" \
			--preview="$preview"
}

# fzf refused to start (exit 2), which a popup would close on at once: an fzf older than 0.38
# knows no become(), the action of the picker's keys. Said, and left on screen.
fzf_failed() {
	version=$(fzf --version 2>/dev/null)
	version=${version%% *}
	case $version in
	0.[0-9].* | 0.[12][0-9].* | 0.3[0-7].*) printf '\ncs: the picker needs fzf 0.38 or later, not %s.\n' "$version" ;;
	*) printf '\ncs: fzf %s refused to start (its words are above).\n' "$version" ;;
	esac
	printf '    apt-get install fzf   (or: brew install fzf, dnf install fzf)\n\n'
	wait_for_key
	exit 3
}

main() {
	require_built
	require_fzf
	set_mode_file
	trap 'rm -f "$mode_file"' EXIT HUP INT TERM
	set_binds
	run_fzf
	[ $? -ne 2 ] || fzf_failed
}
main
