// A property test over random session sets: whatever mix of orphans, conversations, names, tags,
// live tmux sessions and ages, `gc --yes` and `prune --yes` never touch a live, named or tagged
// session, and `gc --restore` plus `prune --undo` put back every file byte for byte and every
// session as it was.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { isolatedCs } from './harness/cs.ts'
import { rng } from './harness/random.ts'
import { TestTmux } from './harness/tmux.ts'

interface Spec {
  id: string
  path: string
  orphan: boolean
  named: boolean
  tagged: boolean
  live: boolean
  old: boolean
}

const OLD = '2024-01-01T00:00:00.000Z'

test('gc and prune never touch live, named or tagged sessions; restore and undo put everything back', () => {
  for (let round = 1; round <= 3; round++) {
    // a store and tmux server of its own each round: its sessions are the only candidates
    const t = isolatedCs(`properties-${round}`)
    const tmux = new TestTmux(`properties-${round}`, t.env)
    try {
      oneRound(round, t, tmux)
    } finally {
      tmux.cleanup()
      t.cleanup()
    }
  }
})

/** A random set of sessions in their own store: gc and prune, checked, then undone. */
function oneRound(round: number, t: ReturnType<typeof isolatedCs>, tmux: TestTmux) {
  const r = rng(round * 7919)
  const specs: Spec[] = []
  for (let i = 0; i < 14; i++) {
    const id = `${String(round * 100 + i).padStart(8, '0')}-6666-4000-8000-000000000000`
    const s = { id, orphan: r() < 0.5, named: r() < 0.25, tagged: r() < 0.2, live: r() < 0.2, old: r() < 0.6 }
    const cwd = `/w/round${round}/p${i % 4}`
    const path = t.session({ id, cwd, orphan: s.orphan, prompt: `prompt ${i}`, at: s.old ? OLD : undefined })
    specs.push({ ...s, path })
    if (s.named) assert.equal(t.cs('rename', id, `name ${i}`).status, 0)
    if (s.tagged) assert.equal(t.cs('tag', id, 'keep').status, 0)
    if (s.live) {
      const name = `r${round}s${i}`
      tmux.newSession(name, t.home, ['sleep', '600'])
      for (const [k, v] of Object.entries({ '@cs_managed': '1', '@cs_id': id, '@cs_state': 'idle', '@cs_cwd': cwd }))
        tmux.run('set-option', '-t', `=${name}:`, k, v)
    }
  }
  const bytes = new Map(specs.map((s) => [s.id, readFileSync(s.path)]))
  const protectedOnes = specs.filter((s) => s.named || s.tagged || s.live)

  const gc = t.cs('gc', '--yes', '--json')
  assert.equal(gc.status, 0, gc.stderr)
  const moved: string[] = JSON.parse(gc.stdout).moved
  const prune = t.cs('prune', '--days', '30', '--yes', '--json')
  assert.equal(prune.status, 0, prune.stderr)
  const pruned: string[] = JSON.parse(prune.stdout).filter((v: { deleted: boolean }) => v.deleted).map((v: { id: string }) => v.id)
  // what the store holds as deleted, not only what prune says it did: exactly the old,
  // unprotected conversations
  const expected = specs.filter((s) => !(s.named || s.tagged || s.live) && !s.orphan && s.old).map((s) => s.id)
  const deleted = (t.json('deleted') as { id: string }[]).map((v) => v.id)
  assert.deepEqual(deleted.sort(), [...expected].sort(), `round ${round}: soft-deleted in the store`)
  assert.deepEqual(pruned.sort(), [...expected].sort(), `round ${round}: prune's own account`)

  for (const s of protectedOnes) {
    assert.ok(!moved.includes(s.id), `round ${round}: gc moved protected ${s.id}`)
    assert.ok(!pruned.includes(s.id), `round ${round}: prune soft-deleted protected ${s.id}`)
    assert.ok(existsSync(s.path))
  }
  for (const s of specs) {
    const unprotected = !(s.named || s.tagged || s.live)
    // every unprotected orphan goes; an unprotected old conversation is soft-deleted
    if (unprotected && s.orphan) assert.ok(moved.includes(s.id), `round ${round}: orphan ${s.id} not moved`)
    if (unprotected && !s.orphan && s.old) assert.ok(pruned.includes(s.id), `round ${round}: ${s.id} not pruned`)
    assert.equal(existsSync(s.path), !moved.includes(s.id))
  }

  assert.equal(t.cs('gc', '--restore').status, 0)
  assert.equal(t.cs('prune', '--undo').status, 0)
  const rows = t.json('ls', '--all')
  for (const s of specs) {
    assert.deepEqual(readFileSync(s.path), bytes.get(s.id), `round ${round}: ${s.id} restored byte for byte`)
    const row = rows.find((v: { id: string }) => v.id === s.id)
    assert.equal(row?.deleted, false, `round ${round}: ${s.id} undeleted`)
    if (s.named) assert.equal(row?.name, `name ${specs.indexOf(s)}`, `round ${round}: ${s.id} keeps its name`)
  }
}
