# list.sh's formatter. Input 1 (stdin): live rows from tmux; input 2: picker.tsv, whose rows are
#   a header `#cs-picker<TAB>host`, then rows of id, state, flags (o orphan, d deleted),
#   updated (epoch s), host, tmux session, title and project padded.
# Live rows are held back and printed WAITING, WORKING, IDLE, then DEAD, each newest first (as the
# dashboard orders them); cached rows (dead ones first) stream through.

BEGIN {
	srand(); now = srand() # POSIX awk's clock: no date process
	color = (nocolor == "")
	rank["waiting"] = 0; rank["working"] = 1; rank["idle"] = 2; rank["dead"] = 3
	paint["waiting"] = "33"; paint["working"] = "32"; paint["idle"] = "2"; paint["dead"] = "31"
	paint["stopped"] = "2"
}

function age(t,    s) {
	if (t == "" || t == 0) return "-"
	s = now - t
	if (s < 0) s = 0
	if (s < 60) return s "s"
	if (s < 3600) return int(s / 60) "m"
	if (s < 86400) return int(s / 3600) "h"
	if (s < 31536000) return int(s / 86400) "d"
	return int(s / 31536000) "y"
}

function cell(state, flags,    text, c) {
	if (state == "stopped" || state == "")
		text = "○ " (flags ~ /d/ ? "deleted" : flags ~ /o/ ? "orphan" : "-")
	else
		text = "● " toupper(state)
	text = sprintf("%-13s", text) # the symbol is 3 bytes, 1 cell
	c = (state in paint) ? paint[state] : "2"
	return color ? "\033[" c "m" text "\033[0m" : text
}

function row(target, id, state, flags, since, cols, h) {
	return target "\t" id "\t" cell(state, flags) cols "  " sprintf("%-" hw "s", substr(h, 1, hw)) "  " age(since)
}

function flush_live(    r, i) {
	if (flushed) return
	flushed = 1
	for (r = 0; r <= 4; r++) for (i = 0; i < held_n[r]; i++) print held[r, i]
}

# hold(rank, since, line): kept in rank r, newest first (an insertion: a few live sessions)
function hold(r, since, line,    i) {
	for (i = held_n[r]++; i > 0 && held_at[r, i - 1] < since; i--) {
		held[r, i] = held[r, i - 1]
		held_at[r, i] = held_at[r, i - 1]
	}
	held[r, i] = line
	held_at[r, i] = since
}

FILENAME == "-" {
	live_name[$1] = 1
	if ($2 != "") live_id[$2] = 1
	hold(($3 in rank) ? rank[$3] : 4, $4 + 0, row($1, $2, $3, "", $4, $5, host != "" ? host : $6))
	next
}

# the cache's header names the host that wrote it: this one
FILENAME != "-" && FNR == 1 { flush_live(); cachehost = $2; next }

{
	id = $1; state = $2; flags = $3
	if (id in live_id) next
	if ($5 == cachehost && $6 != "") { # it ran in tmux here
		if ($6 in live_name) next
		if (state != "stopped") state = "dead" # it was live, and its tmux session is gone
	}
	if (state != "stopped") flags = "" # a live or dead session is never hidden
	if (mode == "live" && (state == "stopped" || state == "dead")) next
	if (mode == "default" && flags != "") next
	print row(id, id, state, flags, $4, $7, $5)
}

END { flush_live() }
