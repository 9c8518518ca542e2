# literal WORD: sets $value to WORD as one word of a tmux command line, where tmux would take a
# final `;` for the end of the command: escaped as `\;`. Sourced by tmux/hook.sh, which sources
# nothing else (its time counts), and by plugin.tmux.
literal() {
	case $1 in *\;) value="${1%;}\\;" ;; *) value=$1 ;; esac
}
