#!/bin/sh
# fzf as both pickers show list.sh's lines (attach target, session id, what is shown): the tmux
# popup's (picker.sh) and `cs resume`'s (lib/resume.ts). Each adds its prompt, header, keys and
# preview. usage: fzf.sh [FZF OPTION...]; CS_FZF names the fzf to run, else the PATH's.
exec "${CS_FZF:-fzf}" --ansi --no-sort --layout=reverse --info=inline --delimiter='	' --with-nth=3 \
	--preview-window='down,45%,wrap' "$@"
