// Shell completion through the real shells: bash, zsh and fish source `cs completion SHELL` and
// ask cs for the candidates, as on a TAB: commands (the dispatch table's, whatever it holds),
// flags, session short ids, names, live tmux sessions and hosts.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { loadConfig } from '../lib/config.ts'
import type { HostRow } from '../lib/session.ts'
import { openStore } from '../lib/store-sqlite.ts'
import { isolatedCs } from './harness/cs.ts'
import { SORT_KEYS } from '../lib/views.ts'
import { TestTmux } from './harness/tmux.ts'

const REPO = resolve(import.meta.dirname, '..')
const t = isolatedCs('completion')
const ID = '3f2a9c1e-0000-4000-8000-000000000001'
const OTHER = '3f2b0000-0000-4000-8000-000000000002'
Object.assign(t.env, { TERM: 'xterm-256color', LANG: 'C.UTF-8' })
const typing = new TestTmux('completion-typing', t.env) // the same object: PATH gets `cs` below
after(() => {
  typing.cleanup()
  t.cleanup()
})

before(() => {
  // `cs` on the PATH, as install puts it there
  const bin = join(t.home, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'cs'), `#!/bin/sh\nexec ${process.execPath} ${join(REPO, 'bin/cs.mjs')} "$@"\n`, { mode: 0o755 })
  t.env.PATH = `${bin}:${t.env.PATH}`
  t.session({ id: ID, cwd: '/work/api', prompt: 'add login' })
  t.session({ id: OTHER, cwd: '/work/web', prompt: 'redesign' })
  assert.equal(t.cs('rename', ID, 'api-auth').status, 0)
  mkdirSync(join(t.home, '.config/cs'), { recursive: true })
  writeFileSync(join(t.home, '.config/cs/config.json'), JSON.stringify({ hosts: [{ name: 'box2' }, { name: 'box3', ssh: 'me@box3' }] }))
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', t.env.CS_TMUX_SOCKET, '-f', '/dev/null', ...args], { env: t.env })
  tmux('new-session', '-d', '-s', 'live-one', 'sleep 600')
  tmux('set-option', '-t', '=live-one:', '@cs_managed', '1')
  tmux('new-session', '-d', '-s', 'not-cs', 'sleep 600') // a tmux session of the user's own
})

const run = (argv: string[]) => {
  const r = spawnSync(argv[0], argv.slice(1), { env: t.env, encoding: 'utf8', timeout: 60_000 })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
}
const lines = (text: string) => text.split('\n').filter(Boolean).sort()

/** What each shell offers after `cs WORDS…` (the last word being completed). */
const shells: Record<string, (words: string[]) => string[]> = {
  bash: (words) =>
    lines(run(['bash', '--norc', '--noprofile', '-c', 'eval "$(cs completion bash)"; COMP_WORDS=(cs "$@"); COMP_CWORD=$#; _cs_complete; printf "%s\\n" "${COMPREPLY[@]}"', '_', ...words])),
  // zsh's completion widgets need a terminal: compadd and compdef stand in, to print what
  // the function hands them (it returns 1, no matches, when there are none)
  zsh: (words) =>
    lines(
      run(['zsh', '-f', '-c', 'compdef() { print -r -- "registered $*" >&2 }; compadd() { while [[ $1 != -- ]]; do shift; done; shift; print -rl -- "$@" }; eval "$(cs completion zsh)"; words=(cs "$@"); CURRENT=${#words}; _cs || true', '_', ...words])
    ),
  fish: (words) => lines(run(['fish', '--no-config', '-c', 'cs completion fish | source; complete -C "$argv"', 'cs ' + words.join(' ')]).replace(/\t.*/g, '')),
}

const commands = lines(
  t.cs('--help').stdout.split('commands:\n')[1].split('\n\n')[0].replace(/^ {2}(\S+).*$/gm, '$1')
)

for (const [shell, offer] of Object.entries(shells)) {
  test(`${shell}: every command of the dispatch table, and those starting with what was typed`, () => {
    assert.ok(commands.includes('completion') && commands.length > 20)
    assert.deepEqual(offer(['']), commands)
    assert.deepEqual(offer(['re']), commands.filter((c) => c.startsWith('re')))
  })

  test(`${shell}: a command's flags, and --sort's and --host's values`, () => {
    assert.deepEqual(offer(['list', '--s']), ['--sort'])
    assert.deepEqual(offer(['uninstall', '--']), ['--help', '--json', '--store', '--trash', '--yes'])
    assert.deepEqual(offer(['list', '--sort', 't']), ['title'])
    assert.deepEqual(offer(['list', '--host', '']), ['box2', 'box3', 'testhost'])
    // --host=VALUE: bash splits it at the = (--host, =, VALUE); the other shells keep one word
    if (shell === 'bash') {
      assert.deepEqual(offer(['attach', '--host', '=', 'b']), ['box2', 'box3'])
      assert.deepEqual(offer(['list', '--sort', '=']), [...SORT_KEYS].sort(), 'right after the =, the = the word completed')
    }
    else assert.deepEqual(offer(['attach', '--host=b']), ['--host=box2', '--host=box3'])
    assert.deepEqual(offer(['completion', '']), ['bash', 'fish', 'zsh'])
    // the words a usage line names after its command
    assert.deepEqual(offer(['cron', '']), ['off', 'on', 'status'])
    assert.deepEqual(offer(['hosts', '']), ['add', 'rm'])
    assert.deepEqual(offer(['config', 'u']), ['unset'])
  })

  test(`${shell}: sessions by short id, cs name and live tmux session; none for commands without one`, () => {
    assert.deepEqual(offer(['info', '']), ['3f2a', '3f2b', 'api-auth', 'live-one'])
    assert.deepEqual(offer(['attach', 'a']), ['api-auth'])
    assert.deepEqual(offer(['rename', '3f2a', '']), ['3f2a', '3f2b', 'api-auth', 'live-one'])
    assert.deepEqual(offer(['sync', '']), [])
  })

  test(`${shell}: cs help COMMAND; no flag the help does not name`, () => {
    assert.deepEqual(offer(['help', 're']), commands.filter((c) => c.startsWith('re')))
    assert.deepEqual(offer(['sync', '--b']), [], 'sync --background is cs\'s own')
  })

  test(`${shell}: another host's sessions and name, from the rows kept of it (a shared store, ssh answers)`, () => {
    const store = openStore(loadConfig(t.env))
    const row: HostRow = {
      id: '3f2c0000-0000-4000-8000-000000000003', host: 'box9', tmuxSession: null, kind: 'tmux', name: null, tag: null,
      title: 'far away', cwd: '/srv/p', project: 'p', branch: null, state: 'stopped', stateSince: null,
      createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', userMessages: 1, assistantMessages: 1,
      model: null, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, deleted: false, csVersion: '0.1.0',
    }
    try {
      store.saveHostRows('box9', [row], new Date().toISOString())
      assert.deepEqual(offer(['list', '--host', 'box']), ['box2', 'box3', 'box9'])
      assert.deepEqual(offer(['info', '3f2']), ['3f2a', '3f2b', '3f2c'])
    } finally {
      store.saveHostRows('box9', [], new Date().toISOString())
      store.close()
    }
  })

  test(`${shell}: a name that is not a bare word (a glob, $(…), a leading -) is never put on the command line`, () => {
    try {
      for (const name of ['st*', '$(id)', '-dash', "it's"]) {
        assert.equal(t.cs('rename', OTHER, '--', name).status, 0, name)
        assert.deepEqual(offer(['info', '']), ['3f2a', '3f2b', 'api-auth', 'live-one'], name)
      }
    } finally {
      assert.equal(t.cs('rename', OTHER, '--clear').status, 0)
    }
  })
}

test('a TAB before any store: what tmux knows, and no store made', () => {
  const fresh = isolatedCs('completion-fresh')
  try {
    const r = fresh.cs('completion', '--words', '--', 'info', '')
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, '')
    assert.equal(existsSync(join(fresh.env.XDG_STATE_HOME, 'cs')), false)
  } finally {
    fresh.cleanup()
  }
})

test('an unknown shell is a usage error naming the three', () => {
  const r = t.cs('completion', 'tcsh')
  assert.equal(r.status, 2)
  assert.match(r.stderr, /name one shell: bash, zsh, fish/)
})

/** Each shell, interactive in a tmux pane, set up as the help says. */
const interactive: Record<string, (rc: string) => string[]> = {
  bash: (rc) => {
    writeFileSync(rc, 'PS1="$ "\neval "$(cs completion bash)"\n')
    return ['bash', '--noprofile', '--rcfile', rc, '-i']
  },
  zsh: (rc) => {
    mkdirSync(rc)
    writeFileSync(join(rc, '.zshrc'), 'PS1="$ "\nautoload -Uz compinit && compinit -u\neval "$(cs completion zsh)"\n')
    return ['env', `ZDOTDIR=${rc}`, 'zsh', '-i']
  },
  fish: (rc) => {
    mkdirSync(join(rc, 'fish/completions'), { recursive: true })
    // there already: an interactive fish's first start would fill it from the man pages in the
    // background, still writing into HOME while the suite removes it (ENOTEMPTY)
    mkdirSync(join(t.env.XDG_DATA_HOME, 'fish/generated_completions'), { recursive: true })
    writeFileSync(join(rc, 'fish/completions/cs.fish'), run(['cs', 'completion', 'fish']))
    writeFileSync(join(rc, 'fish/config.fish'), "function fish_prompt; echo -n '$ '; end\nfunction fish_greeting; end\n")
    return ['env', `XDG_CONFIG_HOME=${rc}`, 'fish', '-i']
  },
}

for (const [shell, argv] of Object.entries(interactive)) {
  test(`${shell}, interactive: TAB completes a command and a session name on the line`, async () => {
    const pane = typing.newSession(shell, t.home, argv(join(t.home, `rc-${shell}`)))
    await typing.waitFor(pane, (s) => /^\$ ?$/m.test(s), { what: `${shell}'s prompt` })
    typing.sendKeys(pane, '-l', 'cs ren')
    typing.sendKeys(pane, 'Tab')
    await typing.waitFor(pane, (s) => /^\$ cs rename ?$/m.test(s), { what: 'cs rename' })
    typing.sendKeys(pane, '-l', 'api-')
    typing.sendKeys(pane, 'Tab')
    await typing.waitFor(pane, (s) => /^\$ cs rename api-auth ?$/m.test(s), { what: 'cs rename api-auth' })
  })
}
