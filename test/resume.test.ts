// cs resume and cs last with a recording stand-in for claude: which id, which folder, which
// environment, which exit code. PATH holds no fzf (only sh and awk, which format its rows, and
// tmux), so resume shows its numbered list.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { isolatedCs } from './harness/cs.ts'

const t = isolatedCs('resume')
after(t.cleanup)

const CS = resolve(import.meta.dirname, '../bin/cs.mjs')
const OLD = 'a0a0a0a0-0000-4000-8000-000000000001'
const NEW = 'b1b1b1b1-0000-4000-8000-000000000002'
const GONE = 'c2c2c2c2-0000-4000-8000-000000000003'
const record = join(t.home, 'claude-called')
const claude = join(t.home, 'fake-claude')
const noFzf = join(t.home, 'empty-bin') // PATH without fzf: only sh, awk and tmux
const dir = (name: string) => join(t.home, name)

before(() => {
  mkdirSync(noFzf)
  for (const tool of ['sh', 'awk', 'tmux']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim()
    symlinkSync(found, join(noFzf, tool))
  }
  for (const d of ['api', 'web']) mkdirSync(dir(d))
  // records its folder, argv and whether a parent Claude's variables reached it; exits 7
  writeFileSync(
    claude,
    `#!/bin/sh\n{ pwd; printf '%s\\n' "$@"; echo "CLAUDECODE=\${CLAUDECODE:-unset}"; } > '${record}'\nexit 7\n`
  )
  chmodSync(claude, 0o755)
  t.session({ id: OLD, cwd: dir('api'), prompt: 'fix the login', at: '2026-11-20T10:00:00.000Z' })
  t.session({ id: NEW, cwd: dir('web'), prompt: 'style the page', at: '2026-11-21T10:00:00.000Z' })
  t.session({
    id: GONE,
    cwd: dir('removed'),
    prompt: 'in a folder since deleted',
    at: '2026-11-19T10:00:00.000Z',
  })
})

function cs(args: string[], input = '') {
  rmSync(record, { force: true })
  const env = {
    ...t.env,
    PATH: noFzf,
    CS_CLAUDE: claude,
    CLAUDECODE: '1',
    CLAUDE_CODE_SESSION_ID: 'parent',
  }
  const r = spawnSync(process.execPath, [CS, ...args], { env, input, encoding: 'utf8' })
  const called = existsSync(record) ? readFileSync(record, 'utf8').trimEnd().split('\n') : null
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, called }
}

test('resume without fzf: a numbered list, newest first; the typed number resumes in its folder', () => {
  const r = cs(['resume'], '2\n')
  const lines = r.stdout.split('\n')
  // the tmux picker's columns (tmux/list.sh formats both), the title as wide as the screen allows
  assert.match(lines[0], /^1  ○ -\s+style the page\s+web\s+testhost\s+\d+[smhdy]$/)
  assert.match(lines[1], /^2  ○ -\s+fix the login\s+api\s+testhost\s+\d+[smhdy]$/)
  assert.match(lines[2], /^3  ○ -\s+in a folder since deleted\s+removed/)
  assert.equal(lines[0].indexOf('web'), lines[1].indexOf('api'))
  assert.match(r.stdout, /resume which \(1-3\)\? $/)
  assert.deepEqual(r.called, [dir('api'), '--resume', OLD, 'CLAUDECODE=unset'])
  assert.equal(r.status, 7, 'claude exit code passed through')
})

test('resume without fzf: a number not in the list is said, nothing resumed; the end of input ends the line', () => {
  const wrong = cs(['resume'], '9\n')
  assert.equal(wrong.status, 1)
  assert.equal(wrong.stderr, "cs: no session 9 in the list: nothing resumed\n")
  assert.equal(wrong.called, null)
  // a last line with no newline is typed all the same
  assert.deepEqual(cs(['resume'], '2').called, [dir('api'), '--resume', OLD, 'CLAUDECODE=unset'])
  const none = cs(['resume'], '')
  assert.equal(none.status, 1)
  assert.match(none.stdout, /resume which \(1-3\)\? \n$/)
  assert.equal(none.stderr, '')
  assert.equal(none.called, null)
})

test("resume with fzf: the tmux picker's look (tmux/fzf.sh) and its own prompt; the line chosen is resumed", () => {
  // a stand-in fzf on a terminal: records its arguments, chooses NEW's line
  const bin = join(t.home, 'fzf-bin')
  mkdirSync(bin, { recursive: true })
  const args = join(bin, 'args')
  writeFileSync(join(bin, 'fzf'), `#!/bin/sh\nprintf '%s\\n' "$@" >'${args}'\ngrep '${NEW}'\n`)
  chmodSync(join(bin, 'fzf'), 0o755)
  rmSync(record, { force: true })
  const r = t.pty(['resume'], { PATH: `${bin}:${t.env.PATH}`, CS_CLAUDE: claude })
  assert.equal(r.status, 7, r.stdout)
  assert.deepEqual(readFileSync(record, 'utf8').split('\n').slice(0, 3), [dir('web'), '--resume', NEW])
  const given = readFileSync(args, 'utf8').split('\n')
  for (const arg of ['--ansi', '--layout=reverse', '--delimiter=\t', '--with-nth=3', '--preview-window=down,45%,wrap', '--prompt=resume> '])
    assert.ok(given.includes(arg), `${arg} in ${given.join(' ')}`)
})

test('resume QUERY: an id prefix resumes at once; other text filters the list', () => {
  assert.deepEqual(cs(['resume', NEW.slice(0, 6)]).called?.slice(0, 3), [
    dir('web'),
    '--resume',
    NEW,
  ])
  const r = cs(['resume', 'login'], '1\n')
  assert.equal(r.stdout.split('\n').filter((l) => /^\d  /.test(l)).length, 1)
  assert.deepEqual(r.called?.slice(0, 3), [dir('api'), '--resume', OLD])
})

test('resume QUERY naming a session the picker would not offer (an orphan) resumes nothing', () => {
  const orphan = 'abcd0000-0000-4000-8000-00000000000a'
  t.session({ id: orphan, cwd: dir('api'), orphan: true, at: '2026-11-18T10:00:00.000Z' })
  const r = cs(['resume', orphan])
  assert.equal(r.called, null)
  assert.equal(r.status, 1)
  assert.match(r.stderr, new RegExp(`no session matches '${orphan}'`))
})

test('resume: no answer, or a wrong one, runs nothing', () => {
  for (const input of ['', 'x\n', '9\n']) {
    const r = cs(['resume'], input)
    assert.equal(r.called, null)
    assert.equal(r.status, 1)
  }
})

test('resume of a session whose folder is gone says so and runs nothing', () => {
  const r = cs(['resume', GONE.slice(0, 8)])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /folder of session .* is gone: .*removed/)
  assert.equal(r.called, null)
})

test('last: the most recent session, no questions', () => {
  const r = cs(['last'])
  assert.equal(r.stdout, '')
  assert.deepEqual(r.called, [dir('web'), '--resume', NEW, 'CLAUDECODE=unset'])
  assert.equal(r.status, 7)
})

test('resume writes the picker cache the tmux picker reads', () => {
  const cache = readFileSync(join(t.env.XDG_STATE_HOME, 'cs/picker.tsv'), 'utf8')
  assert.match(cache, /^#cs-picker\ttesthost\n/)
  assert.ok(cache.includes(`${NEW}\tstopped`))
})

test('resume lists a running session first and goes to it (attach), never resumes it beside itself', () => {
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', t.env.CS_TMUX_SOCKET, '-f', '/dev/null', ...args], { env: t.env, encoding: 'utf8' })
  const RUNNING = 'd3d3d3d3-0000-4000-8000-000000000004'
  t.session({ id: RUNNING, cwd: dir('api'), prompt: 'still at it', at: '2026-11-18T10:00:00.000Z' })
  tmux('new-session', '-d', '-s', 'busy', 'sleep 600')
  try {
    for (const [k, v] of Object.entries({ '@cs_managed': '1', '@cs_id': RUNNING, '@cs_state': 'waiting', '@cs_transcript': '/t.jsonl' }))
      tmux('set-option', '-p', '-t', '=busy:', k, v)
    const r = cs(['resume'], '1\n')
    assert.match(r.stdout, /^1 .*WAITING\s+still at it/m)
    // attached, which needs a terminal here: said so, and claude never started
    assert.equal(r.status, 1)
    assert.match(r.stderr, /^cs: busy is attached from a terminal/m)
    assert.equal(r.called, null)
  } finally {
    tmux('kill-server')
  }
})
