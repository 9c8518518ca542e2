// `cs cron on|off|status` against the real crontab (Debian's cron package, test/setup.sh), on
// this user's own crontab: saved first and put back after, whatever happens, so that no
// existing crontab is ever lost. The line it writes is run the way cron runs it (a bare
// environment, `sh -c`) and must sync.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { CRON_MARK, CRON_SCHEDULE } from '../lib/cron.ts'
import { isolatedCs } from './harness/cs.ts'

const crontab = (args: string[], input?: string) => {
  const r = spawnSync('crontab', args, { input, encoding: 'utf8' })
  if (r.error) throw new Error('crontab is not installed: run test/setup.sh (Debian package cron)')
  return r
}
/** This user's crontab, or null when there is none. */
const read = () => {
  const r = crontab(['-l'])
  if (r.status === 0) return r.stdout
  assert.match(r.stderr, /no crontab/i)
  return null
}
const write = (text: string | null) => {
  const r = text === null ? crontab(['-r']) : crontab(['-'], text)
  assert.ok(r.status === 0 || (text === null && /no crontab/i.test(r.stderr)), r.stderr)
}

const t = isolatedCs('cron')
let saved: string | null = null
before(() => {
  saved = read()
})
after(() => {
  write(saved)
  t.cleanup()
})

const STARTUP = ['.bashrc', '.profile', '.bash_profile', '.zshrc', '.zprofile', '.config/fish/config.fish']
const cron = (...args: string[]) => {
  const r = t.cs('cron', ...args)
  assert.equal(r.status, 0, r.stderr)
  return r
}
const ours = (text: string | null) => (text ?? '').split('\n').filter((l) => l.endsWith(CRON_MARK))

test('on adds one line, again changes nothing, off removes it alone; every other line kept', () => {
  const own = `${saved ?? ''}# a line of the user's own\n*/7 * * * * true # keep me\n`
  write(own)
  writeFileSync(join(t.home, '.bashrc'), '# the user\'s own\n')
  assert.equal(t.json('cron', 'status').on, false)

  assert.match(cron('on').stdout, /every 5 minutes/)
  const once = read()
  cron('on')
  assert.equal(read(), once)
  assert.equal(ours(once).length, 1)
  assert.ok(ours(once)[0].startsWith(`${CRON_SCHEDULE} `))
  assert.equal(once, `${own}${ours(once)[0]}\n`)
  assert.equal(t.json('cron', 'status').on, true)

  cron('off')
  assert.equal(read(), own)
  cron('off')
  assert.equal(read(), own)
  assert.equal(t.json('cron', 'status').on, false)

  // no shell start-up file written
  assert.equal(readFileSync(join(t.home, '.bashrc'), 'utf8'), "# the user's own\n")
  for (const f of STARTUP.slice(1)) assert.equal(existsSync(join(t.home, f)), false, f)
})

test('with no crontab before: on makes one of the line alone, off leaves none', () => {
  write(null)
  assert.equal(t.json('cron', 'status').on, false)
  cron('on')
  const text = read()!
  assert.deepEqual(text.split('\n'), [ours(text)[0], ''])
  cron('off')
  assert.equal(read(), null)
})

test('cs uninstall takes the line away, every other line kept: it would go on syncing from a checkout about to be deleted', () => {
  const own = `${saved ?? ''}*/7 * * * * true # keep me\n`
  write(own)
  cron('on')
  const r = t.json('uninstall')
  assert.deepEqual(r.stopped, ['the cs cron line (cs sync every 5 minutes)'], JSON.stringify(r))
  assert.equal(read(), own)
  assert.deepEqual(t.json('uninstall').stopped, [], 'nothing the second time')
  // the line of another checkout's cs (an older clone uninstalled): kept, and said
  const other = `*/5 * * * * /usr/bin/node /home/u/src/cs-new/bin/cs.mjs sync >/dev/null 2>&1 ${CRON_MARK}\n`
  write(own + other)
  const kept = t.cs('uninstall')
  assert.equal(kept.status, 0, kept.stderr)
  assert.match(kept.stdout, /the cs cron line runs another checkout's cs: `cs cron off` there removes it/)
  assert.equal(read(), own + other)
  write(own)
})

test("the line runs `cs sync` in cron's bare environment", () => {
  write(null)
  t.session({ id: '0c000000-0000-4000-8000-000000000001', cwd: '/srv/cron', prompt: 'from cron' })
  cron('on')
  const line = ours(read())[0]
  cron('off')
  // what cron does: the command after the five schedule fields, `\%` as `%`, run by sh with a
  // bare environment
  const command = line.split(' ').slice(5).join(' ').replaceAll('\\%', '%')
  const db = join(t.env.XDG_STATE_HOME, 'cs/cs.db')
  assert.equal(existsSync(db), false)
  const r = spawnSync('sh', ['-c', command], { env: {}, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.ok(existsSync(db), 'the line did not sync')
  assert.equal((t.json('ls') as any[]).find((v) => v.title === 'from cron')?.host, 'testhost')
})

test('a shared store given by CS_MONGO_URL alone, which cron does not see, is said; the URL stays out of the crontab', () => {
  write(null)
  const url = 'mongodb://cs:s3cret@127.0.0.1:1/cs'
  const on = spawnSync(join(import.meta.dirname, '../bin/cs'), ['cron', 'on'], { env: { ...t.env, CS_MONGO_URL: url }, encoding: 'utf8' })
  assert.equal(on.status, 0, on.stderr)
  assert.match(on.stderr, /^cs: warning: the shared store is set by CS_MONGO_URL alone, which cron's sync does not see.*cs config set mongo\.url URL\)\n$/)
  assert.ok(!read()!.includes('s3cret') && !on.stderr.includes('s3cret'))
  // in the config file: nothing to say
  mkdirSync(join(t.env.XDG_CONFIG_HOME, 'cs'), { recursive: true })
  writeFileSync(join(t.env.XDG_CONFIG_HOME, 'cs/config.json'), JSON.stringify({ mongo: { url } }), { mode: 0o600 })
  try {
    const status = spawnSync(join(import.meta.dirname, '../bin/cs'), ['cron', 'status'], { env: { ...t.env, CS_MONGO_URL: url }, encoding: 'utf8' })
    assert.equal(status.stderr, '')
  } finally {
    rmSync(join(t.env.XDG_CONFIG_HOME, 'cs/config.json'))
  }
  cron('off')
})

test('a value with a line break, which would make the rest a crontab line of its own, is refused; the crontab stays', () => {
  write(null)
  const evil = join(t.home, `cl\n* * * * * touch ${join(t.home, 'CRONPWNED')} #`)
  const bad = spawnSync(join(import.meta.dirname, '../bin/cs'), ['cron', 'on'], { env: { ...t.env, CLAUDE_CONFIG_DIR: evil }, encoding: 'utf8' })
  assert.equal(bad.status, 1, bad.stderr)
  assert.match(bad.stderr, /^cs: CLAUDE_CONFIG_DIR holds a line break, which a crontab line cannot\n/)
  assert.equal(read(), null)
})
