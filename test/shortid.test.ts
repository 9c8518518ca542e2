import { test } from 'node:test'
import assert from 'node:assert/strict'
import { resolve, shortIds } from '../lib/shortid.ts'
import { CsError } from '../lib/errors.ts'
import { sessionView } from './harness/session-fixtures.ts'

test('short ids are at least four characters', () => {
  const ids = shortIds(['0a1b2c3d-x', 'ffff0000-y'])
  assert.equal(ids.get('0a1b2c3d-x'), '0a1b')
  assert.equal(ids.get('ffff0000-y'), 'ffff')
})

test('short ids grow until no other id shares them', () => {
  const ids = shortIds(['abcdef01', 'abcdef02', 'abcd9999', 'abce0000'])
  assert.equal(ids.get('abcdef01'), 'abcdef01')
  assert.equal(ids.get('abcdef02'), 'abcdef02')
  assert.equal(ids.get('abcd9999'), 'abcd9')
  assert.equal(ids.get('abce0000'), 'abce')
})

test('a short id is a prefix of no other id', () => {
  const all = Array.from({ length: 300 }, (_, i) => (i * 7919).toString(16).padStart(8, '0') + '-s')
  const shorts = shortIds(all)
  for (const id of all) {
    const short = shorts.get(id)!
    assert.ok(id.startsWith(short))
    assert.deepEqual(
      all.filter((other) => other.startsWith(short)),
      [id]
    )
  }
})

const sessions = [
  sessionView({ id: 'aaaa1111-0000', short: 'aaaa1', name: 'api', title: 'api' }),
  sessionView({ id: 'aaaa2222-0000', short: 'aaaa2', title: 'fix login' }),
  sessionView({ id: 'bbbb0000-0000', short: 'bbbb', name: 'web', host: 'far', title: 'web' }),
  sessionView({ id: 'cccc0000-0000', short: 'cccc', name: 'web', title: 'web' }),
  sessionView({ id: 'dddd0000-0000', short: 'dddd', name: 'dup', title: 'dup', orphan: true }),
  sessionView({ id: 'eeee0000-0000', short: 'eeee', name: 'dup', title: 'dup' }),
  sessionView({ id: 'ffff0000-0000', short: 'ffff', name: 'twin', title: 'twin' }),
  sessionView({ id: 'ffff9999-0000', short: 'ffff9', name: 'twin', title: 'twin' }),
]

test('resolve accepts a full id, a unique prefix and a name', () => {
  assert.equal(resolve('aaaa2222-0000', sessions, 'here').id, 'aaaa2222-0000')
  assert.equal(resolve('aaaa1', sessions, 'here').id, 'aaaa1111-0000')
  assert.equal(resolve('api', sessions, 'here').id, 'aaaa1111-0000')
})

test('resolve prefers this host, then live sessions, then real conversations over orphans', () => {
  assert.equal(resolve('web', sessions, 'here').id, 'cccc0000-0000')
  assert.equal(resolve('web', sessions, 'far').id, 'bbbb0000-0000')
  assert.equal(resolve('dup', sessions, 'here').id, 'eeee0000-0000')
  // a live session /clear started carries the name, and is an orphan until its first prompt
  const cleared = sessions.map((v) => (v.id === 'dddd0000-0000' ? { ...v, live: true, state: 'idle' as const } : v))
  assert.equal(resolve('dup', cleared, 'here').id, 'dddd0000-0000')
})

test('an ambiguous prefix lists the candidates', () => {
  assert.throws(
    () => resolve('aaaa', sessions, 'here'),
    (e: unknown) =>
      e instanceof CsError &&
      e.exitCode === 1 &&
      /ambiguous/.test(e.message) &&
      e.message.includes('aaaa1  api') &&
      e.message.includes('aaaa2  fix login')
  )
  assert.throws(() => resolve('twin', sessions, 'here'), /'twin' is ambiguous: 2 sessions/)
})

test("a prefix shared with another host's session is this host's when only one here has it", () => {
  const across = [
    sessionView({ id: 'abab1111-0000', short: 'abab1', title: 'here one', host: 'here' }),
    sessionView({ id: 'abab2222-0000', short: 'abab2', title: 'far one', host: 'far' }),
  ]
  assert.equal(resolve('abab', across, 'here').id, 'abab1111-0000')
  assert.equal(resolve('abab', across, 'far').id, 'abab2222-0000')
  // listed by host, then id
  assert.throws(() => resolve('abab', across, 'elsewhere'), /ambiguous[\s\S]*far:abab2 +far one[\s\S]*here:abab1 +here one/)
  assert.throws(() => resolve('abab', [...across].reverse(), 'elsewhere'), /far:abab2 +far one[\s\S]*here:abab1 +here one/)
})

test('a prefix shorter than four characters is not a prefix', () => {
  assert.throws(() => resolve('bbb', sessions, 'here'), /no session named 'bbb', and 'bbb' is too short for an id: give at least 4 characters/)
})

test('nothing found is a failure with a hint', () => {
  assert.throws(
    () => resolve('nope', sessions, 'here'),
    (e: unknown) => e instanceof CsError && e.exitCode === 1 && /cs ls --all/.test(e.hint ?? '')
  )
  assert.throws(
    () => resolve('  ', sessions, 'here'),
    (e: unknown) => e instanceof CsError && e.exitCode === 2
  )
})
