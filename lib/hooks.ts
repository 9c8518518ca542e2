// The Claude settings file that registers tmux/hook.sh: `cs launch` passes it as `--settings FILE`,
// which leaves the user's own settings untouched.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from './config.ts'
import { pluginScript } from './paths.ts'
import { shellWord } from './quote.ts'
import { readRegular, replaceFile } from './regular-file.ts'

/** The events whose state the hook tracks (tmux/hook.sh maps each to a state). */
export const HOOK_EVENTS = [
  'SessionStart',
  'UserPromptSubmit',
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure', // a tool that failed, after its permission dialog: working again, not waiting
  'Notification',
  'PermissionRequest',
  'Stop',
  'StopFailure', // instead of Stop when an API error ends the turn: idle at once, not a minute later
  'PreCompact',
  'PostCompact', // the end of a compaction: idle after /compact, working on when one ran mid-turn
  'SessionEnd',
] as const

export const hookScript = () => pluginScript('hook.sh')

/** The settings JSON: one synchronous command hook per event, the event name its argument, so
 * that the script knows the event without parsing stdin. Synchronous keeps the events in order
 * (PreToolUse then PermissionRequest arrive 30 ms apart); the script takes a few ms. */
export function hookSettings(script: string): string {
  // The shell form: the exec form ("args") is unknown to older clients, which would run the
  // command alone through the shell. Event names are plain words: no quoting needed.
  const hooks = Object.fromEntries(
    HOOK_EVENTS.map((e) => {
      const handler = { type: 'command', command: `${shellWord(script)} ${e}`, timeout: 10 }
      return [e, [{ hooks: [handler] }]]
    })
  )
  return `${JSON.stringify({ hooks }, null, 2)}\n`
}

/** Writes `<stateDir>/claude-settings.json` when its content changed; returns its path. */
export function ensureHookSettings(config: Config): string {
  const file = join(config.stateDir, 'claude-settings.json')
  const content = hookSettings(hookScript())
  const current = readRegular(file) // null on a first run (and for a FIFO, replaced below)
  if (current !== content) {
    // whole: a claude starting meanwhile never reads half a file
    mkdirSync(config.stateDir, { recursive: true })
    replaceFile(file, content)
  }
  return file
}
