// Many cs processes at once, as a busy machine has them: 50 hook runs, 3 full syncs and the
// dashboard in a loop, all started together. No state is lost, no row doubled, no busy error.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { isolatedCs } from './harness/cs.ts'
import { TestTmux } from './harness/tmux.ts'

const t = isolatedCs('concurrency')
const tmux = new TestTmux('concurrency', t.env)
after(() => {
  tmux.cleanup()
  t.cleanup()
})

const HOOK = join(import.meta.dirname, '../tmux/hook.sh')
const CS = join(import.meta.dirname, '../bin/cs.mjs')
const uuid = (n: number) => `${String(n).padStart(8, '0')}-7777-4000-8000-000000000000`

function run(cmd: string, args: string[], env: Record<string, string>, input = '') {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(cmd, args, { env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

test('50 hook runs, 3 syncs and cs ls in a loop at once: no lost state, no doubled row, no busy error', async () => {
  for (let i = 0; i < 300; i++) t.session({ id: uuid(i), cwd: `/w/c${i % 30}`, prompt: `prompt ${i}` })
  const panes: string[] = []
  for (let i = 0; i < 10; i++) {
    panes.push(tmux.newSession(`c${i}`, t.home, ['sleep', '600']))
    tmux.run('set-option', '-t', `=c${i}:`, '@cs_managed', '1')
  }
  tmux.run('set-option', '-g', '@cs-alert', 'off')
  const socket = tmux.run('display-message', '-p', '-t', panes[0], '#{socket_path}').trim()

  const hooks = Array.from({ length: 50 }, (_, k) => {
    const pane = panes[k % 10]
    const payload = JSON.stringify({ hook_event_name: 'UserPromptSubmit', session_id: uuid(k % 10), prompt: 'go' })
    return run('sh', [HOOK, 'UserPromptSubmit'], { ...t.env, TMUX: `${socket},0,0`, TMUX_PANE: pane }, payload)
  })
  const syncs = Array.from({ length: 3 }, () => run(process.execPath, [CS, 'sync', '--full'], t.env))
  const dashboards = (async () => {
    const outs = []
    for (let i = 0; i < 6; i++) outs.push(await run(process.execPath, [CS, 'ls', '--json'], t.env))
    return outs
  })()
  const [hookRuns, syncRuns, lsRuns] = await Promise.all([Promise.all(hooks), Promise.all(syncs), dashboards])

  for (const r of [...hookRuns, ...syncRuns, ...lsRuns]) {
    assert.equal(r.code, 0, r.stderr)
    assert.doesNotMatch(r.stderr, /busy|locked|internal error/i)
  }
  for (const r of lsRuns) {
    // (the ten tmux sessions whose claude id no hook has said yet are rows without an id)
    const ids = JSON.parse(r.stdout).map((v: { id: string }) => v.id).filter(Boolean)
    assert.equal(new Set(ids).size, ids.length, 'no row twice')
  }
  const rows = t.json('ls', '--all')
  const ids = rows.map((v: { id: string }) => v.id).filter((id: string) => id.endsWith('7777-4000-8000-000000000000'))
  assert.equal(ids.length, 300)
  assert.equal(new Set(ids).size, 300)
  for (const pane of panes) assert.equal(tmux.showOption(pane, '@cs_state', true), 'working', `pane ${pane}`)
})

test('prunes at once, and a rename during them: each prune whole, the last one undone whole, the named kept', async () => {
  const u = isolatedCs('concurrency-prune')
  try {
    const OLD = '2025-01-01T00:00:00.000Z'
    const ids = Array.from({ length: 400 }, (_, i) => uuid(1000 + i))
    for (const [i, id] of ids.entries()) u.session({ id, cwd: `/w/p${i % 20}`, prompt: `old ${i}`, at: OLD })
    assert.equal(u.cs('sync').status, 0)
    const cs = (...args: string[]) => run(process.execPath, [CS, ...args], u.env)
    const runs = await Promise.all([
      ...Array.from({ length: 4 }, () => cs('prune', '--days', '30', '--yes')),
      cs('rename', ids[7], 'kept by name'),
    ])
    for (const r of runs) assert.equal(r.code, 0, r.stderr)
    const deleted = () => new Set(u.json('deleted').map((r: any) => r.id))
    assert.ok(deleted().size >= ids.length - 1, String(deleted().size))
    const undo = u.cs('prune', '--undo')
    assert.equal(undo.status, 0, undo.stderr)
    // the last prune took again every one an earlier one had (each all at once, none half done),
    // and gives every one back; but the renamed one, if a prune before the rename took it
    assert.deepEqual([...deleted()].filter((id) => id !== ids[7]), [])
    assert.equal(u.json('info', ids[7]).name, 'kept by name', 'the rename stands')
  } finally {
    u.cleanup()
  }
})
