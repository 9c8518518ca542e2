// The one shell quoter: what it makes, a real POSIX shell reads back as exactly the words given.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { shellLine, shellWord } from '../lib/quote.ts'
import { HOSTILE } from './harness/hostile.ts'


test('plain words stay bare; anything a shell would read differently is quoted', () => {
  assert.equal(shellWord('api-2'), 'api-2')
  assert.equal(shellWord('/opt/cs/bin/cs.mjs'), '/opt/cs/bin/cs.mjs')
  assert.equal(shellWord('my app'), `'my app'`)
  assert.equal(shellWord(`it's`), `'it'\\''s'`)
  assert.equal(shellWord(''), `''`)
  assert.equal(shellWord('ä'), `'ä'`)
})

test('a real sh splits shellLine back into exactly the words, expanding nothing', () => {
  const line = shellLine(HOSTILE)
  for (const sh of ['sh', 'bash']) {
    const r = spawnSync(sh, ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), HOSTILE, sh)
  }
})
