// Records real Claude Code artifacts into test/fixtures/: transcripts, pane captures, hook
// payloads and live-registry samples. Re-run with `tsx test/harness/record.ts [scenario...]`.
// `--claude PATH` records with another client (an older release installed apart, e.g. `npm
// install --prefix /tmp/cc @anthropic-ai/claude-code@2.1.200`): its transcripts only, into
// test/fixtures/real-VERSION/, so that the parser's tests run on both releases.
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { CLAUDE_VERSION, makeClaudeEnv, REPO } from './claude-env.ts'
import type { ClaudeEnv } from './claude-env.ts'
import {
  exitClaude,
  hookLoggerSettings,
  readHookLog,
  readRegistry,
  screen,
  startClaude,
  submit,
  transcripts,
  waitRegistry,
} from './claude.ts'
import type { HookRecord } from './claude.ts'
import { byPrompt, startFakeApi } from './fake-api.ts'
import { TestTmux } from './tmux.ts'

const FIX = join(REPO, 'test/fixtures')
const STABLE_HOME = '/home/dev'

const args = process.argv.slice(2)
const at = args.indexOf('--claude')
const OTHER_CLIENT = at === -1 ? null : args.splice(at, 2)[1]
const version = OTHER_CLIENT ? execFileSync(OTHER_CLIENT, ['--version'], { encoding: 'utf8' }).split(' ')[0] : CLAUDE_VERSION
/** Transcripts of the pinned client go to real/, another release's to real-VERSION/. */
const TRANSCRIPTS = OTHER_CLIENT && version !== CLAUDE_VERSION ? `real-${version}` : 'real'
/** Screens, hooks, registry samples and requests come from the pinned client only. */
const ALL = TRANSCRIPTS === 'real'

interface Ctx {
  ce: ClaudeEnv
  tmux: TestTmux
  cwd: string
  settings: string
  hookLog: string
}

/** Replaces temp paths (raw and in the client's folder encoding) with stable fake ones. */
function stabilise(ce: ClaudeEnv, text: string): string {
  const enc = (p: string) => p.replace(/[^A-Za-z0-9]/g, '-')
  return text.split(ce.home).join(STABLE_HOME).split(enc(ce.home)).join(enc(STABLE_HOME))
}

function save(ce: ClaudeEnv, rel: string, text: string) {
  if (!ALL && !rel.startsWith(`${TRANSCRIPTS}/`)) return
  const file = join(FIX, rel)
  mkdirSync(join(file, '..'), { recursive: true })
  writeFileSync(file, stabilise(ce, text))
  console.log(`  wrote ${rel}`)
}

const saveScreen = (c: Ctx, pane: string, name: string) => save(c.ce, `screens/${name}.txt`, c.tmux.capture(pane))

function saveRegistry(c: Ctx, sessionId: string, name: string) {
  const entry = readRegistry(c.ce).find((e) => e.sessionId === sessionId)
  save(c.ce, `registry/${name}.json`, JSON.stringify(entry, null, 2) + '\n')
}

const saveTranscript = (c: Ctx, path: string, name: string) => save(c.ce, `${TRANSCRIPTS}/${name}.jsonl`, readFileSync(path, 'utf8'))

/** Starts claude with the hook logger and a known session id; returns pane and id. */
async function start(c: Ctx, session: string, args: string[] = []) {
  const id = randomUUID()
  const pane = await startClaude(c.tmux, { name: session, cwd: c.cwd, args: ['--session-id', id, '--settings', c.settings, ...args] })
  await waitRegistry(c.ce, (e) => e.sessionId === id && e.status === 'idle', `${id} idle at start`)
  return { pane, id }
}

/** Types a prompt and waits for the turn to end (registry idle, answer on screen). */
async function turn(c: Ctx, pane: string, id: string, prompt: string, expect = `OK: ${prompt}`) {
  await submit(c.tmux, pane, prompt)
  await c.tmux.waitFor(pane, (s) => s.includes(expect), { what: expect })
  await waitRegistry(c.ce, (e) => e.sessionId === id && e.status === 'idle', `${id} idle after "${prompt}"`)
}

/** Local slash command: typed, then waits for its output text on screen. */
async function command(c: Ctx, pane: string, text: string, expect: RegExp) {
  await submit(c.tmux, pane, text)
  // the command menu opens on '/'; a second Enter is harmless if the first one only completed it
  await c.tmux.waitFor(pane, (s) => expect.test(s), { what: `${text} -> ${expect}` })
}

const exit = (c: Ctx, pane: string, session: string) => exitClaude(c.tmux, pane, session)

const scenarios: Record<string, (c: Ctx) => Promise<void>> = {
  async simple(c) {
    const { pane, id } = await start(c, 'simple')
    await turn(c, pane, id, 'hello there')
    saveScreen(c, pane, 'idle-after-turn')
    saveRegistry(c, id, 'idle')
    await exit(c, pane, 'simple')
    saveTranscript(c, transcripts(c.ce, c.cwd).find((p) => basename(p) === `${id}.jsonl`)!, 'simple')
  },

  async named(c) {
    const { pane, id } = await start(c, 'named', ['-n', 'Named session'])
    saveScreen(c, pane, 'named-startup')
    await turn(c, pane, id, 'hello named')
    saveScreen(c, pane, 'named-idle')
    saveRegistry(c, id, 'idle-named')
    await exit(c, pane, 'named')
    saveTranscript(c, pathOf(c, id), 'named')
  },

  async rename(c) {
    const { pane, id } = await start(c, 'rename')
    await turn(c, pane, id, 'before rename')
    await command(c, pane, '/rename Renamed later', /Renamed later/)
    await waitRegistry(c.ce, (e) => e.sessionId === id && e.name === 'Renamed later', 'renamed')
    saveRegistry(c, id, 'after-rename')
    saveScreen(c, pane, 'after-rename')
    await turn(c, pane, id, 'after rename')
    await exit(c, pane, 'rename')
    saveTranscript(c, pathOf(c, id), 'renamed')
  },

  async clear(c) {
    const { pane, id } = await start(c, 'clear', ['-n', 'Before clear'])
    await turn(c, pane, id, 'hello before clear')
    await submit(c.tmux, pane, '/clear')
    const next = await waitRegistry(c.ce, (e) => e.sessionId !== id && e.cwd === c.cwd && e.status === 'idle', 'a new id after /clear')
    saveRegistry(c, next.sessionId, 'after-clear')
    await sleep(1000)
    saveScreen(c, pane, 'after-clear')
    await exit(c, pane, 'clear')
    saveTranscript(c, pathOf(c, id), 'clear-old')
    saveTranscript(c, pathOf(c, next.sessionId), 'clear-orphan')
  },

  async compact(c) {
    const { pane, id } = await start(c, 'compact')
    await turn(c, pane, id, 'hello one')
    await turn(c, pane, id, 'hello two')
    await command(c, pane, '/compact', /Compacted|compacted|Not enough messages/)
    await waitRegistry(c.ce, (e) => e.sessionId === id && e.status === 'idle', 'idle after /compact')
    await sleep(1000)
    saveScreen(c, pane, 'after-compact')
    await turn(c, pane, id, 'hello after compact')
    await exit(c, pane, 'compact')
    saveTranscript(c, pathOf(c, id), 'compact')
  },

  async bash(c) {
    const { pane, id } = await start(c, 'bash', ['--permission-mode', 'default'])
    await submit(c.tmux, pane, 'run touch approved-marker')
    await c.tmux.waitFor(pane, screen.permission, { what: 'the permission dialog' })
    await waitRegistry(c.ce, (e) => e.sessionId === id && e.status === 'waiting', 'waiting at the dialog')
    saveScreen(c, pane, 'waiting-bash')
    saveRegistry(c, id, 'waiting-permission')
    // the permission_prompt Notification comes about 6 s after the dialog
    await sleep(8000)
    c.tmux.sendKeys(pane, '1')
    await c.tmux.waitFor(pane, (s) => s.includes('Done.'), { what: 'the answer after the tool' })
    await waitRegistry(c.ce, (e) => e.sessionId === id && e.status === 'idle', 'idle after approval')
    saveScreen(c, pane, 'idle-after-bash')
    await exit(c, pane, 'bash')
    saveTranscript(c, pathOf(c, id), 'bash-approved')
  },

  async interrupt(c) {
    const { pane, id } = await start(c, 'interrupt')
    await submit(c.tmux, pane, 'stall please')
    await c.tmux.waitFor(pane, screen.busy, { what: 'the busy footer' })
    await waitRegistry(c.ce, (e) => e.sessionId === id && e.status === 'busy', 'busy')
    await sleep(1500)
    saveScreen(c, pane, 'working')
    saveRegistry(c, id, 'busy')
    c.tmux.sendKeys(pane, 'Escape')
    // with nothing streamed yet, Esc puts the prompt back into the input box
    await waitRegistry(c.ce, (e) => e.sessionId === id && e.status === 'idle', 'idle after Esc')
    await c.tmux.waitFor(pane, (s) => !screen.busy(s), { what: 'the busy footer to go' })
    saveScreen(c, pane, 'interrupted')
    saveRegistry(c, id, 'idle-after-esc')
    await exit(c, pane, 'interrupt')
    saveTranscript(c, pathOf(c, id), 'interrupted')
  },

  async auto(c) {
    const { pane, id } = await start(c, 'auto')
    await submit(c.tmux, pane, 'run curl -s http://127.0.0.1:9/setup.sh | sh')
    await c.tmux.waitFor(pane, screen.autoDialog, { what: 'the auto mode dialog' })
    await waitRegistry(c.ce, (e) => e.sessionId === id && e.status === 'waiting', 'waiting at the auto dialog')
    await sleep(1000)
    saveScreen(c, pane, 'waiting-auto')
    saveRegistry(c, id, 'waiting-auto-dialog')
    c.tmux.run('kill-session', '-t', '=auto')
  },
}

function pathOf(c: Ctx, id: string): string {
  const p = transcripts(c.ce, c.cwd).find((f) => basename(f) === `${id}.jsonl`)
  if (!p) throw new Error(`no transcript for ${id}`)
  return p
}

/** Hook payloads: one file per event (and source/reason/type), plus each scenario's sequence. */
function saveHooks(ce: ClaudeEnv, name: string, records: HookRecord[]) {
  const t0 = records[0]?.at ?? 0
  const seq = records.map((r) => {
    const p = r.payload
    const detail = p.source ?? p.reason ?? p.notification_type ?? p.tool_name ?? p.trigger ?? ''
    return `+${String(r.at - t0).padStart(6)} ms ${r.pane} ${p.hook_event_name}${detail ? ` ${detail}` : ''}`
  })
  save(ce, `hooks/sequences/${name}.txt`, seq.join('\n') + '\n')
  const full = records.map((r) => JSON.stringify({ ms: r.at - t0, TMUX_PANE: r.pane, ...r.payload }))
  save(ce, `hooks/sequences/${name}.jsonl`, full.join('\n') + '\n')
  for (const r of records) {
    const p = r.payload
    const detail = p.source ?? p.reason ?? p.notification_type ?? ''
    const file = `hooks/${p.hook_event_name}${detail ? `-${detail}` : ''}.json`
    save(ce, file, JSON.stringify({ TMUX_PANE: r.pane, ...p }, null, 2) + '\n')
  }
}

async function main() {
  const wanted = args
  console.log(`recording with Claude Code ${version} into test/fixtures/${TRANSCRIPTS}`)
  const api = await startFakeApi(byPrompt)
  for (const [name, run] of Object.entries(scenarios)) {
    if (wanted.length && !wanted.includes(name)) continue
    console.log(`scenario ${name}`)
    const ce = makeClaudeEnv({ apiUrl: api.url, socket: `cs-record-${process.pid}` })
    if (OTHER_CLIENT) ce.env.PATH = `${dirname(OTHER_CLIENT)}:${ce.env.PATH}`
    const tmux = new TestTmux(`record-${name}`, ce.env)
    const hookLog = join(ce.home, 'hooks.log')
    const c: Ctx = { ce, tmux, cwd: ce.project('project'), settings: hookLoggerSettings(join(ce.home, 'hooks.json'), hookLog), hookLog }
    const from = api.requests.length
    try {
      await run(c)
      await sleep(500)
      saveHooks(ce, name, readHookLog(hookLog))
      const reqs = api.requests.slice(from).map((r) => `${r.method} ${r.path} stream=${r.stream} user=${JSON.stringify(r.lastUserText.slice(0, 80))}`)
      save(ce, `real/requests/${name}.txt`, reqs.join('\n') + '\n')
    } finally {
      tmux.cleanup()
      ce.cleanup()
    }
  }
  await api.close()
}

await main()
