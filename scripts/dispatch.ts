// The one dispatch table of cs's commands, each loaded only when run: help, dispatch
// (scripts/cs.ts) and shell completion (scripts/commands/completion.ts) read it. A module of its
// own, with no side effect: scripts/cs.ts runs the CLI as it loads.
import type { Command } from '../lib/command.ts'

type Entry = [summary: string, load: () => Promise<{ default: Command }>]

// prettier-ignore
export const commands: Record<string, Entry> = {
  ls:      ['the dashboard: every session, live ones first', () => import('./commands/ls.ts')],
  list:    ['list sessions, filtered and sorted (--local, --host, --project, --limit, --sort)', () => import('./commands/list.ts')],
  info:    ['everything known about one session', () => import('./commands/info.ts')],
  resume:  ['pick a session with fzf and resume it', () => import('./commands/resume.ts')],
  last:    ['resume the most recent session', () => import('./commands/last.ts')],
  rename:  ['name a session', () => import('./commands/rename.ts')],
  tag:     ['tag a session (tagged sessions are protected like named ones)', () => import('./commands/tag.ts')],
  rm:      ['soft-delete a session (--undo brings it back)', () => import('./commands/rm.ts')],
  deleted: ['list soft-deleted sessions', () => import('./commands/deleted.ts')],
  gc:      ['move orphans left by /clear and /compact to the trash (--restore undoes)', () => import('./commands/gc.ts')],
  prune:   ['soft-delete unnamed sessions idle for more than N days', () => import('./commands/prune.ts')],
  purge:   ['delete transcripts for good', () => import('./commands/purge.ts')],
  doctor:  ['check the set-up and report transcript lines cs did not understand', () => import('./commands/doctor.ts')],
  preview: ['the last exchanges of a session, as plain text', () => import('./commands/preview.ts')],
  launch:  ['start claude in a detached tmux session', () => import('./commands/launch.ts')],
  attach:  ['attach to a session (here, or on the host that runs it)', () => import('./commands/attach.ts')],
  kill:    ['end the tmux session of a session (the transcript stays)', () => import('./commands/kill.ts')],
  revive:  ['relaunch the sessions that were live before a reboot', () => import('./commands/revive.ts')],
  adopt:   ['wrap a session started outside cs in a managed tmux session', () => import('./commands/adopt.ts')],
  status:  ["live tmux sessions and their states, from tmux and Claude's registry (no index)", () => import('./commands/status.ts')],
  sync:    ['index transcripts; with a shared store, push this host and copy the others', () => import('./commands/sync.ts')],
  config:  ['show the settings (passwords masked), or set and unset them', () => import('./commands/config.ts')],
  cron:    ['sync every 5 minutes from crontab (on, off, status)', () => import('./commands/cron.ts')],
  install: ['check what cs needs, put `cs` on the PATH, print the line for ~/.tmux.conf', () => import('./commands/install.ts')],
  completion: ['print the shell completion script: cs completion bash|zsh|fish', () => import('./commands/completion.ts')],
  uninstall: ['remove what `cs install` added (the store and the trash stay unless asked)', () => import('./commands/uninstall.ts')],
  hosts:   ['the hosts list: each host asked over ssh (add, rm edit it)', () => import('./commands/hosts.ts')],
  agent:   ["cs's ssh agent at a fixed socket: start it, show its keys (stop ends it)", () => import('./commands/agent.ts')],
  'add-key': ["load a key into cs's ssh agent (here, --host NAME or --all)", () => import('./commands/add-key.ts')],
  update:  ['update cs from its git checkout (--all: every host too)', () => import('./commands/update.ts')],
}
