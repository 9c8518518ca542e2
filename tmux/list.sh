#!/bin/sh
# Feeds the picker: live sessions straight from tmux (WAITING first), then the history rows that
# `cs sync` and `cs ls` leave in picker.tsv. No Node: the first line must reach fzf at once.
# usage: list.sh [MODE_FILE [next]]   MODE_FILE holds default|all|live; `next` moves it on.
# Each line: attach target <TAB> claude session id <TAB> what fzf shows.

CURRENT_DIR=${0%/*}
. "$CURRENT_DIR/variables.sh"
. "$CURRENT_DIR/helpers.sh"

TAB='	'
cache="${XDG_STATE_HOME:-$HOME/.local/state}/cs/picker.tsv"

# One line per session cs knows in tmux: name, id, state, since, then title and project padded by
# tmux itself (cell-aware), and the host.
live_format() {
	title='#{?@cs_title,#{@cs_title},#{session_name}}'
	project='#{?@cs_cwd,#{b:@cs_cwd},-}'
	printf '%s' "#{session_name}$TAB#{?@cs_id,#{@cs_id},#{@cs_claude_id}}$TAB#{@cs_state}$TAB" \
		"#{?@cs_state_at,#{@cs_state_at},#{session_activity}}$TAB" \
		"#{p$title_width:#{=/$((title_width - 2))/…:$title}}  " \
		"#{p$project_width:#{=/$((project_width - 2))/…:$project}}$TAB#{host}"
}

list_live() {
	tmux list-sessions -f '#{||:#{@cs_state},#{@cs_managed}}' -F "$(live_format)" 2>/dev/null
}

# read_mode FILE [next]: the mode to list, moved on to the next one and saved when asked.
read_mode() {
	mode=
	[ -n "$1" ] && [ -r "$1" ] && read -r mode <"$1"
	case $mode$2 in
	default | all | live) ;;
	defaultnext) mode=all ;;
	allnext) mode=live ;;
	*) mode=default ;;
	esac
	[ -n "$1" ] && printf '%s\n' "$mode" >"$1"
	printf '%s' "$mode"
}

# Header line: fzf shows its third field, like every row.
print_header() {
	case $1 in
	default) printf '\t\tlive and history  (%s: + orphans and deleted)\n' "$mode_key" ;;
	all) printf '\t\teverything: live, history, orphans, deleted  (%s: live only)\n' "$mode_key" ;;
	live) printf '\t\tlive only  (%s: live and history)\n' "$mode_key" ;;
	esac
}

main() {
	mode=$(read_mode "$1" "$2")
	print_header "$mode"
	[ -r "$cache" ] || cache=/dev/null
	list_live | awk -F "$TAB" -v mode="$mode" -v host="${CS_HOST:-}" -v nocolor="${NO_COLOR:-}" \
		-v hw="$host_width" -f "$CURRENT_DIR/list.awk" - "$cache"
}
main "$@"
