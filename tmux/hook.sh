#!/bin/sh
# The Claude Code hook of cs: turns hook events into tmux user options, so that the status line,
# the picker and `cs ls` know what every session is doing without asking Claude.
#
# Registered by lib/hooks.ts (a --settings file, HOOK_EVENTS) for the events below, with the event
# name as its argument (`hook.sh PreToolUse`). Claude runs it with the event as JSON on stdin and
# TMUX/TMUX_PANE inherited from its own environment, so a plain `tmux` reaches the server (socket)
# that the session runs on. Without an argument (a settings file of an older cs) the event is read
# from the payload.
#
# The tmux options contract, set on the pane running claude (set -p) AND on its session:
#   @cs_id           claude session id (re-keyed on SessionStart: follows /clear, /compact, /resume)
#   @cs_title        the session's title (-n, /rename), when the payload carries session_title
#                    (cs's own name, cs rename, is @cs_name: never set here, and shown first);
#                    unset when another session is resumed without one
#   @cs_state        working | waiting | idle | dead
#   @cs_state_at     epoch seconds when @cs_state last changed
#   @cs_waiting_for  what a waiting session waits for ("permission prompt", "input needed");
#                    unset in every other state
#   @cs_transcript   transcript path (SessionStart)
#   @cs_cwd          session cwd (SessionStart)
# On the session only:
#   @cs_pane         the id (%N) of the pane running claude, to tell it from panes split off later
# Set by `cs launch`, not here: @cs_managed 1 and first values of @cs_id, @cs_title, @cs_cwd,
# @cs_state (idle), @cs_state_at. Global, read here: @cs-alert (default on): when a session turns
# waiting, every attached client shows a message and rings its bell. @cs_clock is this script's
# own ('%s', so that `#{T:@cs_clock}` expands to the time inside tmux, without a `date` process).
#
# Speed and safety: one tmux call per event (a second only when a session turns waiting and
# alerts are on); never prints to stdout (Claude may read it); always exits 0. Only the events whose
# state or options need payload fields read stdin, with one grep; the others leave it unread, big
# tool payloads included: Claude Code 2.1.332 takes a hook that exits without reading its stdin
# in its stride (test/hook.test.ts proves it with a payload beyond the pipe buffer).

[ -n "$TMUX" ] && [ -n "$TMUX_PANE" ] || exit 0

event=$1 id= transcript= cwd= reason= ntype= title= source= trigger= untitled=
case $event in
  '') keys='hook_event_name|session_id|transcript_path|cwd|reason|notification_type|session_title|source|trigger' ;;
  SessionStart) keys='session_id|transcript_path|cwd|session_title|source' ;;
  UserPromptSubmit) keys=session_title ;; # after the prompt: the whole payload is scanned
  Notification) keys=notification_type ;;
  SessionEnd) keys=reason ;;
  PostCompact) keys=trigger ;;
  *) keys= ;;
esac

# A JSON string body as text: \uXXXX and control escapes become a space, `\x` becomes x.
unescape() {
  rest=$1 value=
  while :; do
    case $rest in *\\*) ;; *) break ;; esac
    value=$value${rest%%\\*} rest=${rest#*\\}
    case $rest in
      u*) rest=${rest#?????} value="$value " ;;
      [bfnrt]*) rest=${rest#?} value="$value " ;;
      *) value=$value${rest%"${rest#?}"} rest=${rest#?} ;;
    esac
  done
  value=$value$rest
}

# `"key": "value"` pairs of string fields, first occurrence. A key counts only at a line start or
# after `{` or `,`: inside a JSON string a quote is escaped, so a quoted `\"reason\":` never
# matches. One grep scans a 100 kB payload nearly as fast as `cat` reads it (sed took 10 ms).
if [ -n "$keys" ]; then
  fields=$(LC_ALL=C grep -a -o -E \
    '(^|[{,])[[:space:]]*"('"$keys"')"[[:space:]]*:[[:space:]]*"([^"\\]|\\.)*"' 2>/dev/null)
  while IFS= read -r line; do
    line=${line#*\"} # key": "value"
    key=${line%%\"*}
    line=${line#*\"*\"}
    line=${line%\"}
    unescape "$line"
    case $key in
      hook_event_name) [ -n "$event" ] || event=$value ;;
      session_id) [ -n "$id" ] || id=$value ;;
      transcript_path) [ -n "$transcript" ] || transcript=$value ;;
      cwd) [ -n "$cwd" ] || cwd=$value ;;
      reason) [ -n "$reason" ] || reason=$value ;;
      notification_type) [ -n "$ntype" ] || ntype=$value ;;
      session_title) [ -n "$title" ] || title=$value ;;
      source) [ -n "$source" ] || source=$value ;;
      trigger) [ -n "$trigger" ] || trigger=$value ;;
    esac
  done <<EOF
$fields
EOF
fi

# §7 of the format reference: each event lib/hooks.ts registers (and its detail) gives the state;
# anything else is no change.
waiting_for=
case $event in
  # a compaction starts the session again (source compact) before it ends (PostCompact): one that
  # ran in the middle of a turn (trigger auto) goes on working, /compact's (manual) ends idle
  SessionStart) case $source in compact) state=working ;; *) state=idle ;; esac ;;
  PostCompact) case $trigger in auto) state=working ;; *) state=idle ;; esac ;;
  Stop | StopFailure) state=idle ;;
  UserPromptSubmit | PreToolUse | PostToolUse | PostToolUseFailure | PreCompact) state=working ;;
  PermissionRequest) state=waiting waiting_for='permission prompt' ;;
  Notification)
    case $ntype in
      permission_prompt) state=waiting waiting_for='permission prompt' ;;
      elicitation_dialog) state=waiting waiting_for='input needed' ;;
      idle_prompt) state=idle ;;
      *) exit 0 ;;
    esac ;;
  SessionEnd)
    # /clear and /resume end one session id and start another in the same process
    case $reason in clear | resume) exit 0 ;; *) state=dead ;; esac ;;
  *) exit 0 ;;
esac

[ "$event" = SessionStart ] || id= transcript= cwd=

# Options go to the pane (-p) and to its session (a pane target resolves to its session). The time
# changes only with the state; it is computed by tmux from the pane's state before the state is set.
pane=$TMUX_PANE
since="#{?#{&&:#{==:#{@cs_state},$state},#{@cs_state_at}},#{@cs_state_at},#{T:@cs_clock}}"
# A state change with a shared store configured (@cs-push, the command `cs sync` publishes) starts
# the debounced background push (tmux/push.sh) from the tmux server: the hook waits for nothing.
set -- if -F -t "$pane" "#{&&:#{@cs-push},#{!=:#{@cs_state},$state}}" "run-shell -b '#{@cs-push}'" \; \
  set -gq @cs_clock %s \; \
  set -p -t "$pane" -F @cs_state_at "$since" \; set -t "$pane" -F @cs_state_at "$since" \; \
  set -p -t "$pane" @cs_state "$state" \; set -t "$pane" @cs_state "$state" \; \
  set -t "$pane" @cs_pane "$pane"
if [ -n "$waiting_for" ]; then
  set -- "$@" \; set -p -t "$pane" @cs_waiting_for "$waiting_for" \; set -t "$pane" @cs_waiting_for "$waiting_for"
else
  set -- "$@" \; set -pqu -t "$pane" @cs_waiting_for \; set -qu -t "$pane" @cs_waiting_for
fi
# tmux refuses a command of more than 16 KB, and the payload's values go in twice (the pane's and
# the session's): one of more than 1000 characters (a paste into /rename) is not taken, so that
# the state and the others still are. The hot events carry none: nothing to look at.
[ -z "$title$transcript$cwd" ] || for name in title transcript cwd; do
  eval "[ \${#$name} -le 1000 ] || $name=" # a fixed variable name: no payload text is evaluated
done
# A title is shown by tmux (the status line, the picker's live rows, the waiting alert) as it is:
# bidirectional overrides and isolates (U+202A-202E, U+2066-2069), DEL and C1 controls (U+007F-009F),
# raw UTF-8 in JSON, would reorder or drive what the terminal shows after them. Removed, as
# lib/untrusted.ts does for what Node shows, only from a title holding something other than
# letters, digits, blanks and ASCII punctuation (for dash, which reads bytes: anything not ASCII),
# each named: a UTF-8 locale's [:punct:] holds the overrides (bash matches characters).
# The characters are made by printf, so that this file stays ASCII: one fork, no other process.
case $title in
  *[![:alnum:][:space:]\!\"\#\$%\&\'\(\)\*+,./:\;\<=\>?@\[\\\]^_\`{\|}~-]*)
    unsafe=$(
      for b in 200252 200253 200254 200255 200256 201246 201247 201250 201251; do
        printf "\\342\\${b%???}\\${b#???} "
      done
      printf '\177 '
      for x in 0 1 2 3; do for y in 0 1 2 3 4 5 6 7; do printf "\\302\\2$x$y "; done; done
    )
    for c in $unsafe; do
      while :; do
        case $title in *"$c"*) title=${title%%"$c"*}${title#*"$c"} ;; *) break ;; esac
      done
    done
    # nothing left: no title (below), not the one before
    [ -n "$title" ] || untitled=1 ;;
esac
# the payload's values (SessionStart, a title): only then is literal() read from its file
[ -z "$id$title$transcript$cwd" ] || . "${0%/*}/literal.sh"
# another conversation in this pane (/clear, /resume of another): cs's name (cs rename) was the
# one before's, and the launch record is told the new id in the background (@cs-rekey, which each
# cs launch publishes: lib/launcher.ts). Asked of tmux before @cs_id changes below; only an id of
# hex digits and dashes, and a pane id, go into the condition and the command (a format and a
# command line).
case $id:$pane in
  :* | *[!0-9a-f-]*:* | *:*[!%0-9]*) ;;
  *) set -- "$@" \; if -F -t "$pane" "#{!=:#{@cs_id},$id}" \
    "set -pqu -t $pane @cs_name ; set -qu -t $pane @cs_name ; if -F '#{@cs-rekey}' 'run-shell -b \"#{@cs-rekey}\"'" ;;
esac
for name in id title transcript cwd; do
  eval "v=\$$name" # a fixed variable name: no payload text is evaluated
  [ -n "$v" ] || continue
  literal "$v"
  set -- "$@" \; set -p -t "$pane" "@cs_$name" "$value" \; set -t "$pane" "@cs_$name" "$value"
done
# another session resumed in this process, or a title with nothing left once cleaned: the title
# before does not name it (unset, the status line and the picker show the tmux session's name)
if [ -n "$untitled" ] || { [ "$event" = SessionStart ] && [ "$source" = resume ] && [ -z "$title" ]; }; then
  set -- "$@" \; set -pqu -t "$pane" @cs_title \; set -qu -t "$pane" @cs_title
fi

if [ "$state" != waiting ]; then
  tmux "$@" >/dev/null 2>&1 # not exec: its exit status would become the hook's
  exit 0
fi

# Turning waiting: the same call first reads the previous state, @cs-alert and the clients.
out=$(tmux display -p -t "$pane" '#{@cs_state}|#{@cs-alert}' \; list-clients -F '#{client_tty}' \; "$@" 2>/dev/null)
{
  IFS='|' read -r prev alert
  # off as option_on (tmux/helpers.sh) reads it
  case $prev:$alert in waiting:* | *:off | *:0 | *:no | *:false) exit 0 ;; esac
  set --
  while IFS= read -r tty; do
    [ -n "$tty" ] || continue
    { printf '\a' >"$tty"; } 2>/dev/null
    [ $# -eq 0 ] || set -- "$@" \;
    # each # of a name doubled (written 8 times: the format reads it twice), so that the message
    # shows `#[…]` in a name as typed, not as a style
    set -- "$@" display-message -c "$tty" -t "$pane" \
      'cs: #{s/##/########/:#{?@cs_name,#{@cs_name},#{?@cs_title,#{@cs_title},#{session_name}}}} is waiting (#{@cs_waiting_for})'
  done
  [ $# -eq 0 ] || tmux "$@" >/dev/null 2>&1
} <<EOF
$out
EOF
exit 0
