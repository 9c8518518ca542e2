// The CLI entry (scripts/cs.ts): help for every command in its table, the version, and usage
// errors that say what to do, with exit code 2 and no stack trace.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { isolatedCs } from './harness/cs.ts'

const t = isolatedCs('cli')
after(t.cleanup)

test('cs --help lists every command, and each answers --help with its usage', () => {
  const r = t.cs('--help')
  assert.equal(r.status, 0)
  const names = [...r.stdout.matchAll(/^ {2}(\w+) {2,}\S/gm)].map((m) => m[1])
  assert.ok(names.length >= 20, r.stdout)
  for (const name of names) {
    const h = t.cs(name, '--help')
    assert.equal(h.status, 0, `${name}: ${h.stderr}`)
    assert.match(h.stdout, new RegExp(`^usage: cs ${name}\\b`), name)
    assert.doesNotMatch(h.stdout, /not built yet/, name)
  }
})

test('cs --version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const r = t.cs('--version')
  assert.equal(r.status, 0)
  assert.equal(r.stdout, `cs ${version}\n`)
})

test('an unknown command or flag is a usage error naming the fix', () => {
  const cmd = t.cs('bogus')
  assert.equal(cmd.status, 2)
  assert.equal(cmd.stderr, 'cs: unknown command: bogus\n    see `cs --help`\n')
  const flag = t.cs('status', '--bogus')
  assert.equal(flag.status, 2)
  assert.match(flag.stderr, /^cs: Unknown option '--bogus'.*\n {4}see `cs status --help`\n$/)
  assert.doesNotMatch(cmd.stderr + flag.stderr, /\bat .*:\d+:\d+/)
})

test('a reader that stops early (cs ls --json | head) is no error', () => {
  for (let i = 0; i < 300; i++)
    t.session({ id: `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`, cwd: `/w/p${i}` })
  const cs = `${process.execPath} ${new URL('../bin/cs.mjs', import.meta.url).pathname}`
  const r = spawnSync('sh', ['-c', `${cs} ls --json | head -c 10 >/dev/null`], {
    env: t.env,
    encoding: 'utf8',
  })
  assert.equal(r.stderr, '')
  assert.ok(t.json('ls').length >= 300, 'the output is larger than a pipe holds')
})
