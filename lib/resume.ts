// `cs resume` and `cs last`: choose a session (fzf, else a numbered list read from stdin) and
// run `claude --resume ID` in its folder, in the foreground, passing its exit code through.
import { spawn } from 'node:child_process'
import { statSync } from 'node:fs'
import { constants } from 'node:os'
import type { Config } from './config.ts'
import { answer, interactive } from './confirm.ts'
import { CsError, EXIT } from './errors.ts'
import { claudeEnv, findClaude } from './launcher.ts'
import { argsLine, shellLine, shellWord } from './quote.ts'
import { findOnPath, pluginScript } from './paths.ts'
import { chosen, numberedList, pickerLines, running } from './picker.ts'
import type { SessionView } from './session.ts'
import { layoutColumns, say } from './stdout.ts'
import { quoted } from './untrusted.ts'

/** Runs fzf over the sessions; the chosen one, or null when the user left. */
function pickWithFzf(fzf: string, views: SessionView[], lines: string[], query: string): Promise<SessionView | null> {
  const cs = shellLine([process.execPath, process.argv[1]]) // this same cs: the bundle, or the sources
  // as the tmux picker looks (tmux/fzf.sh), with resume's own prompt, keys and preview
  const args = [
    pluginScript('fzf.sh'),
    '--prompt=resume> ',
    '--select-1',
    '--exit-0',
    `--query=${query}`,
    '--header=enter resume  esc cancel',
    `--preview=${cs} preview {1}`,
  ]
  const child = spawn('sh', args, { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, CS_FZF: fzf } })
  child.stdin.on('error', () => {}) // fzf may exit (--select-1) before reading everything
  child.stdin.end(lines.join('\n') + '\n')
  let picked = ''
  child.stdout.on('data', (d: Buffer) => (picked += d.toString('utf8')))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', () => {
      const id = picked.split('\t')[0].trim()
      resolve(views.find((v) => v.id === id) ?? null)
    })
  })
}

/** The numbered list on stdout, the choice read from stdin. */
async function pickNumbered(views: SessionView[], lines: string[]): Promise<SessionView | null> {
  const typed = await answer(`${numberedList(lines)}\nresume which (1-${views.length})? `)
  const choice = typed === null ? null : chosen(typed, views)
  if (typed !== null && choice === null && typed.trim() !== '') say(`no session ${quoted(typed.trim())} in the list: nothing resumed`)
  return choice
}

/** The session the user picks, or null; fzf when installed, else the numbered list. */
export function pick(
  config: Config,
  views: SessionView[],
  query: string
): Promise<SessionView | null> {
  if (views.length === 0)
    throw new CsError(
      query ? `no session matches '${query}'` : 'no session to resume',
      EXIT.failure,
      'see `cs ls --all`'
    )
  // fzf needs a terminal; without one (a pipe, a script) the numbered list reads stdin
  const fzf = interactive() ? findOnPath(config, 'fzf') : null
  // fzf takes the whole terminal; the numbered list loses the width of its numbers
  const columns = layoutColumns() - (fzf ? 0 : String(views.length).length)
  const lines = pickerLines(views, config.host, { columns, color: config.color && Boolean(fzf) })
  return fzf ? pickWithFzf(fzf, views, lines, query) : pickNumbered(views, lines)
}

export function checkResumable(v: SessionView): string {
  if (running(v))
    throw new CsError(
      `session ${v.short || v.id} is running${v.tmuxSession ? ` in tmux session ${shellWord(v.tmuxSession)}` : ''}`,
      EXIT.failure,
      `cs attach ${argsLine([v.tmuxSession ?? v.short ?? v.id])}`
    )
  const cwd = v.cwd
  let isDir = false
  try {
    isDir = cwd !== null && statSync(cwd).isDirectory()
  } catch {
    // gone
  }
  if (!cwd || !isDir)
    throw new CsError(
      `the folder of session ${v.short || v.id} is gone: ${cwd ?? '(never recorded)'}`,
      EXIT.failure,
      'claude resumes a session only from the folder it ran in'
    )
  return cwd
}

/** `claude --resume ID` in the session's folder, attached to this terminal; its exit code. */
export function resumeHere(config: Config, v: SessionView): Promise<number> {
  const cwd = checkResumable(v)
  const child = spawn(findClaude(config), ['--resume', v.id], { cwd, env: claudeEnv(), stdio: 'inherit' })
  // Ctrl-C belongs to claude: cs waits for it to exit
  const ignore = () => {}
  process.on('SIGINT', ignore)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore)
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0))
    })
  })
}
