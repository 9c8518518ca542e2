// A corpus of hostile names, folders and prompts through launch, rename, status, the picker's
// list, the status-bar names style and kill, against a real tmux server with a recording
// stand-in for claude: nothing is executed, no escape sequence reaches the display, and a name
// tmux cannot target is refused with a clear error.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, realpathSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'
import { isolatedCs } from './harness/cs.ts'
import { fakeClaude } from './harness/fake-claude.ts'

const t = isolatedCs('hostile-names')
after(t.cleanup)
const claude = fakeClaude(join(t.home, 'bin'))
t.env.CS_CLAUDE = claude.bin
t.env.LANG = 'C.UTF-8' // a UTF-8 terminal, as users have: tmux prints names as they are
const marker = join(realpathSync(t.home), 'marker')
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', t.env.CS_TMUX_SOCKET, ...args], { encoding: 'utf8' })
const LIST = resolve(import.meta.dirname, '../tmux/list.sh')
const ESC = /[\u001b\u009b\u0007]/

const RUN = [`run $(touch ${marker})`, `\`touch ${marker}\``, `; touch ${marker}`, `| touch ${marker}`, `&& touch ${marker}`]
const NAMES = [
  ...RUN,
  `it's "quoted"`,
  '#{session_name}',
  '#(touch /tmp/never)',
  'a#[b ##[fg=red]c ## d',
  '%1',
  'ünïcödé 名前 🎉',
  "' OR 1=1 --",
  'x'.repeat(150),
]
const REFUSED = ['a.b', 'a:b', '$3', '\\backslash\\', `$(touch ${marker})`, 'esc\u001b]0;t\u0007', 'new\nline']

test('hostile names launch, rename, show, list and die as given; nothing runs', async () => {
  let n = 0
  for (const name of NAMES) {
    const cwd = join(realpathSync(t.home), `dir ${n++} #[x] ##{y} $(touch ${marker}) ;`)
    mkdirSync(cwd, { recursive: true })
    const r = t.cs('launch', '--json', name, `prompt ${name}`, '--cwd', cwd)
    assert.equal(r.status, 0, `${name}: ${r.stderr}`)
    const rec = JSON.parse(r.stdout)
    assert.equal(rec.tmuxSession, name)
    const got = await claude.wait(rec.id)
    assert.equal(got.argv.at(-1), `prompt ${name}`)
    assert.equal(got.cwd, cwd)

    const other = NAMES[(NAMES.indexOf(name) + 3) % NAMES.length]
    const renamed = t.cs('rename', rec.id, '--', other)
    assert.equal(renamed.status, 0, `${name}: ${renamed.stderr}`)
    // said as a shell word: what it says is the name, whatever quotes it holds
    const said = /is now (.*)\n$/.exec(renamed.stdout)![1]
    if (!/[\x00-\x1f\x7f-\x9f]/.test(other)) assert.equal(execFileSync('sh', ['-c', `printf %s ${said}`], { encoding: 'utf8' }), other.slice(0, 80))

    const status = t.cs('status')
    assert.equal(status.status, 0, status.stderr)
    assert.doesNotMatch(status.stdout, ESC)
    assert.ok(status.stdout.includes(name.slice(0, 30)), `${name} in cs status`)
    // a long name (150 x) is cut: the columns after it stay in line with their header
    assert.ok(status.stdout.split('\n')[0].indexOf('STATE') <= 42, `${name}: NAME takes at most 40 cells`)

    const listed = spawnSync(LIST, [], { env: t.env, encoding: 'utf8' })
    assert.equal(listed.status, 0, listed.stderr)
    assert.doesNotMatch(listed.stdout.replace(/\u001b\[[0-9;]*m/g, ''), ESC, 'no escape but the list\'s own colours')
    // its row names it by tmux's id of it
    const target = tmux('display-message', '-p', '-t', `=${name}:`, '#{session_id}').stdout.trim()
    assert.ok(listed.stdout.split('\n').some((l) => l.split('\t')[0] === target), `${name} in the picker's list`)

    // the status bar's names style formats session names: tmux must not run them
    const shown = tmux('display-message', '-p', '-t', `=${name}:`, '#{session_name}|#{@cs_title}')
    assert.equal(shown.status, 0, shown.stderr)
    assert.ok(shown.stdout.startsWith(name), `${name} shown as itself`)

    const killed = t.cs('kill', '--', name)
    assert.equal(killed.status, 0, `${name}: ${killed.stderr}`)
    assert.ok(!tmux('has-session', '-t', `=${name}`).stdout && tmux('has-session', '-t', `=${name}`).status !== 0)
  }
  assert.ok(!existsSync(marker), 'no name, folder or prompt was run by a shell')
  assert.ok(!existsSync('/tmp/never'))
})

test('names tmux cannot target or that hold control characters are refused clearly', () => {
  for (const name of REFUSED) {
    const r = t.cs('launch', name, 'prompt', '--cwd', t.home)
    assert.ok(r.status === 1 || r.status === 2, `${JSON.stringify(name)}: ${r.status} ${r.stderr}`)
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /)
    // the name is quoted in the error, its control characters shown escaped, never as they are
    assert.doesNotMatch(r.stderr, ESC, JSON.stringify(r.stderr))
    if (name.includes('\u001b')) assert.match(r.stderr, /esc\\x1b\]0;t\\x07/)
  }
  assert.equal(tmux('list-sessions').stdout ?? '', '')
  assert.ok(!existsSync(marker))
})
