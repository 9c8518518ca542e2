# list.sh's formatter. Input 1: live rows from tmux (title and project padded by tmux); input 2:
#   picker.tsv, whose rows are a header `#cs-picker<TAB>host`, then rows of id, state, flags
#   (o orphan, d deleted), updated (epoch s), host, tmux session, title, its cell map, project,
#   its cell map. A cell map has a letter a character (none for printable ASCII): its bytes and
#   terminal cells, so that this byte-counting awk cuts and pads as a terminal shows the text.
# Live rows are held back and printed WAITING, WORKING, IDLE, then DEAD, each newest first (as the
# dashboard orders them); cached rows stream through, a once-live one whose tmux session is gone
# held back to go with the DEAD ones. mode `rows` (cs resume) shows the cache's rows as they are.
# Column widths come from list.sh: tw title, pw project, hw host.

BEGIN {
	srand(); now = srand() # POSIX awk's clock: no date process
	color = (nocolor == "")
	rank["waiting"] = 0; rank["working"] = 1; rank["idle"] = 2; rank["dead"] = 3
	paint["waiting"] = "33"; paint["working"] = "32"; paint["idle"] = "2"; paint["dead"] = "31"
	paint["stopped"] = "2"
	for (b = 1; b <= 4; b++) for (c = 0; c <= 2; c++) { # lib/picker-cache.ts cellMap
		k = sprintf("%c", 97 + b * 3 + c); map_bytes[k] = b; map_cells[k] = c
	}
	live_file = ARGV[1]
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

function spaces(n,    out) {
	out = ""
	while (n-- > 0) out = out " "
	return out
}

# fit(text, map, w): cut to w - 1 cells (w - 2 and an ellipsis) and padded to w, as tmux's
# `#{pW:#{=/W-2/…:…}}` does for the live rows.
function fit(text, map, w,    n, cells, i, k, used, bytes) {
	if (map == "") {
		n = length(text)
		if (n <= w - 1) return text spaces(w - n)
		return substr(text, 1, w - 2) "…" " "
	}
	cells = 0
	n = length(map)
	for (i = 1; i <= n; i++) cells += map_cells[substr(map, i, 1)]
	if (cells <= w - 1) return text spaces(w - cells)
	used = 0; bytes = 0
	for (i = 1; i <= n; i++) {
		k = substr(map, i, 1)
		if (used + map_cells[k] > w - 2) break
		used += map_cells[k]; bytes += map_bytes[k]
	}
	return substr(text, 1, bytes) "…" spaces(w - used - 1)
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

function flush_gone() {
	printf "%s", gone
	gone = ""
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

FILENAME == live_file {
	if ($2 != "") live_id[$2] = 1
	else unknown_name[$7] = 1 # no id yet (its hook has not run): it stands for the row of its name
	hold(($3 in rank) ? rank[$3] : 4, $4 + 0, row($1, $2, $3, "", $4, $5, host != "" ? host : $6))
	next
}

# the cache's header names the host that wrote it: this one
FNR == 1 { flush_live(); cachehost = $2; next }

{
	id = $1; state = $2; flags = $3
	if (id in live_id) next
	if (state == "dead" || state == "stopped") flush_gone()
	cols = NF >= 10 ? fit($7, $8, tw) "  " fit($9, $10, pw) : $7 # written by an older cs: padded already
	if (mode != "rows" && $5 == cachehost && $6 != "") { # it ran in tmux here
		# its tmux session may run again under its name, as itself; one of another id ran it
		# since, and it is gone as when its tmux session ended
		if ($6 in unknown_name) next
		if (state != "stopped" && state != "dead") { # it was live, and its tmux session is gone
			if (mode != "live") gone = gone row(id, id, "dead", "", $4, cols, $5) "\n"
			next
		}
	}
	if (state != "stopped") flags = "" # a live or dead session is never hidden
	if (mode == "live" && (state == "stopped" || state == "dead")) next
	if (mode == "default" && flags != "") next
	# another host's row is acted on as HOST:ID: the same id may be on two hosts
	ref = ($5 != cachehost && $5 != "") ? $5 ":" id : id
	print row(ref, ref, state, flags, $4, cols, $5)
}

END { flush_live(); flush_gone() }
