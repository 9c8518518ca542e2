#!/bin/sh
# Feeds the picker: live sessions straight from tmux (WAITING first), then the history rows that
# `cs sync` and `cs ls` leave in picker.tsv. No Node: the first line must reach fzf at once.
# usage: list.sh [MODE_FILE [next]]   MODE_FILE holds default|all|live; `next` moves it on.
#        list.sh --rows FILE          rows in picker.tsv's format (`-`: stdin), as they are: the
#                                     list of `cs resume`, which keeps the live ones live
# Each line: target (tmux's id of a live session, else claude's) <TAB> claude session id <TAB> what
# fzf shows. The title takes the width left by the other columns: fzf's, CS_PICKER_COLUMNS when
# set, else the terminal's.

CURRENT_DIR=${0%/*}
. "$CURRENT_DIR/variables.sh"
. "$CURRENT_DIR/helpers.sh"

TAB='	'
set_state_home
cache=$state_home/cs/picker.tsv

# The title's cells: what the terminal (fzf's) leaves of the other columns: fzf's pointer and
# marker (2) and maybe a scroll bar (1), the state (11), project, host and age (4: 364d), 2 between.
set_title_width() {
	columns=${CS_PICKER_COLUMNS:-}
	if [ -z "$columns" ]; then
		columns=$({ stty size </dev/tty; } 2>/dev/null) # rows columns; no tty (a script): nothing said
		columns=${columns#* }
	fi
	case $columns in "" | *[!0-9]*) columns=120 ;; esac # as lib/stdout.ts layoutColumns
	title_width=$((columns - project_width - host_width - 24))
	[ "$title_width" -ge 12 ] || title_width=12
}

# One line per session cs knows in tmux: tmux's id of it (the picker's target: exact, and no
# blanks for fzf to trim), claude's id, state, since, then title and project padded by tmux itself
# (cell-aware), the host, and its name.
list_live() {
	title='#{?@cs_name,#{@cs_name},#{?@cs_title,#{@cs_title},#{session_name}}}'
	project='#{?@cs_cwd,#{b:@cs_cwd},-}'
	live_format="#{session_id}$TAB#{@cs_id}$TAB#{@cs_state}$TAB"
	live_format="$live_format#{?@cs_state_at,#{@cs_state_at},#{session_activity}}$TAB"
	live_format="$live_format#{p$title_width:#{=/$((title_width - 2))/…:$title}}  "
	live_format="$live_format#{p$project_width:#{=/$((project_width - 2))/…:$project}}$TAB#{host}$TAB#{session_name}"
	tmux list-sessions -f '#{||:#{@cs_state},#{@cs_managed}}' -F "$live_format" 2>/dev/null
}

# read_mode FILE [next]: sets $mode to the mode to list, moved on to the next one and saved when
# asked (a variable, not output: a command substitution would fork).
read_mode() {
	mode=
	[ -n "$1" ] && [ -r "$1" ] && read -r mode <"$1"
	case $mode$2 in
	default | all | live) ;;
	defaultnext) mode=all ;;
	allnext) mode=live ;;
	*) mode=default ;;
	esac
	[ -n "$1" ] && { printf '%s\n' "$mode" >"$1"; } 2>/dev/null
	return 0
}

# Header line: fzf shows its third field, like every row.
print_header() {
	case $1 in
	default) printf '\t\tlive and history  (%s: + orphans and deleted)\n' "$mode_key" ;;
	all) printf '\t\teverything: live, history, orphans, deleted  (%s: live only)\n' "$mode_key" ;;
	live) printf '\t\tlive only  (%s: live and history)\n' "$mode_key" ;;
	esac
}

# format LIVE CACHE MODE: list.awk over live rows and picker.tsv rows; awk counts bytes (C
# locale), the cache's cell maps say how many cells each character takes.
format() {
	LC_ALL=C awk -F "$TAB" -v mode="$3" -v host="${CS_HOST:-}" \
		-v nocolor="${NO_COLOR:-}" -v tw="$title_width" -v pw="$project_width" -v hw="$host_width" \
		-f "$CURRENT_DIR/list.awk" "$1" "$2"
}

main() {
	set_title_width
	if [ "$1" = --rows ]; then
		format /dev/null "$2" rows
		return
	fi
	read_mode "$1" "$2"
	print_header "$mode"
	[ -f "$cache" ] && [ -r "$cache" ] || cache=/dev/null # a FIFO there would hold the popup
	list_live | format - "$cache" "$mode"
}
main "$@"
