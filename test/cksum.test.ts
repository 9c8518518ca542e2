// lib/cksum.ts against POSIX cksum itself: the launchers and install.sh compare the two.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { cksum } from '../lib/cksum.ts'

test('cksum: what the command prints, for lengths whose bytes the sum ends with', () => {
  for (const n of [0, 1, 255, 256, 257, 65_536, 70_001]) {
    const bytes = randomBytes(n)
    assert.equal(cksum(bytes), execFileSync('cksum', { input: bytes, encoding: 'utf8' }).trim(), `${n} bytes`)
  }
})
