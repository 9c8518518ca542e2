// The last pushes a host's document carries (lib/recent-pushes.ts): what a reader may take from
// them, and when it must read by push number instead.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { recentChanges, recentPush, RECENT_ROWS, withRecent, type RecentPush } from '../lib/recent-pushes.ts'
import type { HostRow } from '../lib/session.ts'

const row = (n: number, state: HostRow['state'] = 'idle') => ({ id: `id-${n}`, state }) as unknown as HostRow

test('pushes in a chain are read from the document, later ones winning', () => {
  let recent: RecentPush[] = []
  recent = withRecent(recent, recentPush(0, 1, [row(1, 'working')], [], []))
  recent = withRecent(recent, recentPush(1, 2, [row(1, 'waiting'), row(2)], [], ['m1']))
  recent = withRecent(recent, recentPush(2, 4, [], ['id-2'], ['m1', 'm2'])) // push 3 failed: 4 follows 2
  const all = recentChanges(recent, 0, 4)!
  assert.deepEqual(all.rows, [row(1, 'waiting')])
  assert.deepEqual(all.gone, ['id-2'])
  assert.deepEqual(all.meta, ['m1', 'm2'])
  // a reader that had up to 2 takes only what came after
  assert.deepEqual(recentChanges(recent, 2, 4), { rows: [], gone: ['id-2'], meta: ['m1', 'm2'] })
  // a row gone, then back
  recent = withRecent(recent, recentPush(4, 5, [row(2, 'working')], [], []))
  assert.deepEqual(recentChanges(recent, 0, 5)!.rows, [row(1, 'waiting'), row(2, 'working')])
  assert.deepEqual(recentChanges(recent, 0, 5)!.gone, [])
})

test('a reader further behind than the document reaches, or a big push, reads by push number', () => {
  const recent = withRecent([recentPush(3, 4, [row(1)], [], [])], recentPush(4, 5, [row(2)], [], []))
  assert.equal(recentChanges(recent, 2, 5), null) // 3 is not carried
  assert.equal(recentChanges(recent, 4, 6), null) // 6 is not there
  const big = Array.from({ length: RECENT_ROWS + 1 }, (_, i) => row(i))
  const withBig = withRecent(recent, recentPush(5, 6, big, [], []))
  assert.equal(withBig[withBig.length - 1].rows, null)
  assert.equal(recentChanges(withBig, 4, 6), null)
  // after the big push, small ones are read from the document again
  assert.ok(recentChanges(withRecent(withBig, recentPush(6, 7, [row(9)], [], [])), 6, 7))
})

test('the document keeps a few pushes of a few rows; whatever another machine wrote there is no list', () => {
  let recent: RecentPush[] = []
  for (let seq = 1; seq <= 40; seq++) recent = withRecent(recent, recentPush(seq - 1, seq, [row(seq), row(seq + 100)], [], []))
  const rows = recent.reduce((n, e) => n + (e.rows?.length ?? 0), 0)
  assert.ok(recent.length <= 16 && rows <= 50, `${recent.length} pushes, ${rows} rows`)
  assert.deepEqual(
    recent.map((e) => e.seq),
    Array.from({ length: recent.length }, (_, i) => 41 - recent.length + i)
  )
  for (const junk of [null, 'x', {}, [null, 1, 'x'], [{ seq: 1, after: 0, rows: 'x', gone: [], meta: [] }]])
    assert.equal(recentChanges(junk, 0, 1), null)
  assert.deepEqual(withRecent('junk', recentPush(0, 1, [], [], [])).length, 1)
})
