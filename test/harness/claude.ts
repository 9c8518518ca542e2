// Running the real client in a test tmux: start it with a hook logger, read its live registry
// and transcripts, and wait for the states it reports.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ClaudeEnv } from './claude-env.ts'
import { poll } from './tmux.ts'
import type { TestTmux } from './tmux.ts'

export const HOOK_EVENTS = [
  'SessionStart',
  'SessionEnd',
  'UserPromptSubmit',
  'PreToolUse',
  'PermissionRequest',
  'PostToolUse',
  'PostToolUseFailure',
  'Notification',
  'Stop',
  'StopFailure',
  'PreCompact',
  'PostCompact',
  'SubagentStart',
  'SubagentStop',
]

/** A registry file <configDir>/sessions/<pid>.json as the client writes it. */
export interface RegistryEntry {
  pid: number
  sessionId: string
  cwd: string
  status?: string
  waitingFor?: string
  name?: string
  tmux?: string | null
  [key: string]: unknown
}

/** Writes a --settings file whose hooks append `<ms>\t<TMUX_PANE>\t<stdin>` lines to log. */
export function hookLoggerSettings(settingsFile: string, log: string): string {
  const command = `{ printf '%s\\t%s\\t' "$(date +%s%3N)" "$TMUX_PANE"; tr -d '\\n'; echo; } >> '${log}'`
  const hooks = Object.fromEntries(HOOK_EVENTS.map((e) => [e, [{ hooks: [{ type: 'command', command }] }]]))
  writeFileSync(settingsFile, JSON.stringify({ hooks }, null, 2))
  return settingsFile
}

export interface HookRecord {
  at: number
  pane: string
  payload: any
}

export function readHookLog(log: string): HookRecord[] {
  if (!existsSync(log)) return []
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [at, pane, ...rest] = line.split('\t')
      return { at: Number(at), pane, payload: JSON.parse(rest.join('\t')) }
    })
}

export function readRegistry(ce: ClaudeEnv): RegistryEntry[] {
  const dir = join(ce.configDir, 'sessions')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => /^\d+\.json$/.test(f))
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(dir, f), 'utf8')) as RegistryEntry]
      } catch {
        return [] // caught mid-write
      }
    })
}

/** Waits until the registry entry of sessionId satisfies pred; returns it. */
export function waitRegistry(
  ce: ClaudeEnv,
  pred: (e: RegistryEntry) => boolean,
  what: string,
  timeout = 60_000
): Promise<RegistryEntry> {
  return poll(
    () => {
      const all = readRegistry(ce)
      const hit = all.find(pred)
      return { ok: !!hit, last: all as any, value: hit as any }
    },
    timeout,
    `registry: ${what}`
  ) as Promise<RegistryEntry>
}

/** Transcript files of a project folder (absolute paths), by the client's own encoding of cwd. */
export function transcripts(ce: ClaudeEnv, cwd: string): string[] {
  const dir = join(ce.configDir, 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'))
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => join(dir, f))
}

// What the screen shows (2.1.332). The prompt box is visible while working too.
export const screen = {
  promptBox: (s: string) => /^❯/m.test(s) && /^─{20,}/m.test(s),
  busy: (s: string) => /esc to interrupt/.test(s),
  permission: (s: string) => /Do you want to proceed\?/.test(s),
  autoDialog: (s: string) => /Auto mode can.t check actions/.test(s),
}

/** The text in the input box: the lines between the last two rules, without the ❯ marker. */
export function inputText(s: string): string | null {
  const lines = s.split('\n')
  const rules = lines.flatMap((l, i) => (/^─{20,}/.test(l) ? [i] : []))
  if (rules.length < 2) return null
  const box = lines.slice(rules.at(-2)! + 1, rules.at(-1))
  return box.join('\n').replace(/^❯\s?/, '').trim()
}

/**
 * Types a prompt into the input box and submits it. While it starts up or redraws, the client
 * can drop keys or show the box half-drawn, so the text is retyped until it shows and Enter is
 * repeated until the box has stayed empty of it for a moment.
 */
export async function submit(tmux: TestTmux, pane: string, text: string): Promise<void> {
  const shows = (s: string) => inputText(s) === text
  for (let attempt = 0; attempt < 5; attempt++) {
    if (!shows(tmux.capture(pane))) {
      tmux.sendKeys(pane, 'C-u')
      tmux.run('send-keys', '-t', pane, '-l', text)
      const ok = await tmux.waitFor(pane, shows, { timeout: 5000, what: 'the typed text' }).catch(() => null)
      if (ok === null) continue
    }
    await sleep(300)
    tmux.sendKeys(pane, 'Enter')
    await sleep(700)
    if (!shows(tmux.capture(pane))) {
      await sleep(500)
      if (!shows(tmux.capture(pane))) return
    }
  }
  throw new Error(`could not submit ${JSON.stringify(text)}:\n${tmux.capture(pane)}`)
}

/** Types /exit and waits for the tmux session to end with the client. */
export async function exitClaude(tmux: TestTmux, pane: string, session: string): Promise<void> {
  await submit(tmux, pane, '/exit').catch(() => {}) // the pane may vanish while submit watches it
  await poll(() => ({ ok: !tmux.hasSession(session), last: session }), 30_000, `${session} to exit`)
}

export interface StartOptions {
  name: string
  cwd: string
  args?: string[]
}

/** Starts claude in a new tmux session and waits for its prompt box; returns the pane id. */
export async function startClaude(tmux: TestTmux, o: StartOptions): Promise<string> {
  const pane = tmux.newSession(o.name, o.cwd, ['claude', ...(o.args ?? [])])
  await tmux.waitFor(pane, (s) => screen.promptBox(s) && !screen.busy(s), { what: 'the prompt box' })
  return pane
}
