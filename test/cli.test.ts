// The CLI entry (scripts/cs.ts): help for every command in its table, the version, and usage
// errors that say what to do, with exit code 2 and no stack trace.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
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

test('a word or flag a command would drop is refused: --version with more, --json where no listing is, --help before a command is its help', () => {
  for (const args of [['--version', 'extra'], ['-V', '--json'], ['hosts', 'add', 'h1', '--json'], ['hosts', 'rm', 'h1', '--json'], ['config', 'set', 'sync.titles', 'false', '--json'], ['--help', 'ls', 'more']]) {
    const r = t.cs(...args)
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`)
    assert.equal(r.stdout, '', args.join(' '))
  }
  assert.equal(t.json('config')['sync.titles'], true, 'nothing set')
  assert.equal(t.cs('-h', 'ls').stdout, t.cs('ls', '--help').stdout)
  // a short flag's value that starts with -: the way that works is its long name's
  assert.match(t.cs('preview', 'abcd', '-n', '-1').stderr, /^cs: -n wants a value: one that starts with - is written --exchanges=VALUE\n/)
  const empty = t.cs('launch', '')
  assert.equal(empty.status, 2)
  assert.match(empty.stderr, /^cs: an empty name\n/)
  assert.equal(t.cs('--help', 'gc').stdout, t.cs('help', 'gc').stdout)
})

test('an unknown command or flag is a usage error naming the fix', () => {
  const cmd = t.cs('bogus')
  assert.equal(cmd.status, 2)
  assert.equal(cmd.stderr, 'cs: unknown command: bogus\n    see `cs --help`\n')
  const flag = t.cs('status', '--bogus')
  assert.equal(flag.status, 2)
  assert.equal(flag.stderr, 'cs: unknown flag --bogus (a name or argument that starts with - goes after --)\n    see `cs status --help`\n')
  const value = t.cs('prune', '--days')
  assert.equal(value.status, 2)
  assert.equal(value.stderr, 'cs: --days wants a value\n    see `cs prune --help`\n')
  const dashed = t.cs('prune', '--days', '-3')
  assert.equal(dashed.status, 2)
  assert.match(dashed.stderr, /^cs: --days wants a value: one that starts with - is written --days=VALUE\n/)
  const extra = t.cs('ls', '--json=yes')
  assert.equal(extra.status, 2)
  assert.match(extra.stderr, /^cs: --json takes no value\n/)
  // a flag with a short form is named by its long one, as the help names it
  const short = t.cs('preview', 'abcd', '--exchanges')
  assert.equal(short.status, 2)
  assert.match(short.stderr, /^cs: --exchanges wants a value\n/)
  const yes = t.cs('gc', '--yes=1')
  assert.match(yes.stderr, /^cs: --yes takes no value\n/)
  // a count is digits, as every count flag takes it
  for (const n of ['0x10', ' 2', '1e9', '0']) {
    const r = t.cs('preview', 'abcd', '-n', n)
    assert.equal(r.status, 2, n)
    assert.match(r.stderr, /^cs: --exchanges wants a whole number of at least 1, not /, n)
  }
  assert.doesNotMatch(cmd.stderr + flag.stderr, /\bat .*:\d+:\d+/)
})

test('words a command does not take are a usage error, not dropped; cs help CMD is its help', () => {
  for (const args of [['ls', 'extra'], ['last', 'foo'], ['status', 'a b'], ['sync', 'x'], ['doctor', 'x'], ['deleted', 'x'], ['revive', 'x']]) {
    const r = t.cs(...args)
    assert.equal(r.status, 2, args.join(' '))
    assert.match(r.stderr, new RegExp(`^cs: ${args[0]} takes no arguments, not '?${args[1]}'?\n    cs ${args[0]}[ \n]`), args.join(' '))
  }
  // gc moves every orphan: an id given is refused, never taken as yes to all
  const gc = t.cs('gc', '--yes', 'a0000002')
  assert.equal(gc.status, 2)
  assert.match(gc.stderr, /^cs: gc takes no session/)
  assert.equal(t.cs('gc', '--restore', 'a', 'b').status, 2)
  assert.equal(t.cs('help', 'ls').stdout, t.cs('ls', '--help').stdout)
  for (const args of [['help', 'nope'], ['help', 'gc', 'extra']]) assert.equal(t.cs(...args).status, 2, args.join(' '))
  // --json only where there is a JSON answer: elsewhere it would be a word dropped
  for (const args of [['kill', 'x'], ['attach', 'x'], ['last'], ['preview', 'x'], ['add-key'], ['completion', 'bash']]) {
    const r = t.cs(...args, '--json')
    assert.equal(r.status, 2, args.join(' '))
    assert.match(r.stderr, /^cs: unknown flag --json/)
  }
})

test('a reader that stops early (cs ls --json | head) is no error', () => {
  for (let i = 0; i < 300; i++)
    t.session({ id: `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`, cwd: `/w/p${i}` })
  const cs = `${process.execPath} ${new URL('../bin/cs.mjs', import.meta.url).pathname}`
  for (const args of ['ls --json', 'ls --all', 'completion bash']) {
    const r = spawnSync('sh', ['-c', `${cs} ${args} | head -c 10 >/dev/null`], {
      env: t.env,
      encoding: 'utf8',
    })
    assert.equal(r.stderr, '', args)
  }
  assert.ok(t.json('ls').length >= 300, 'the output is larger than a pipe holds')
})

test('stdout on a full device: the error and its fix, no stack trace', () => {
  const cs = `${process.execPath} ${new URL('../bin/cs.mjs', import.meta.url).pathname}`
  for (const args of ['--version', 'ls', 'ls --json']) {
    const r = spawnSync('sh', ['-c', `${cs} ${args} >/dev/full`], { env: t.env, encoding: 'utf8' })
    assert.equal(r.status, 1, `cs ${args}: ${r.stderr}`)
    assert.match(r.stderr, /^cs: cannot write: the disk is full\n {4}free some space/, `cs ${args}`)
    assert.doesNotMatch(r.stderr, /\bat .*:\d+:\d+/)
  }
})

test('a reader slower than cs (a full pipe: EAGAIN on a non-blocking stdout) gets every byte', () => {
  const cs = `${process.execPath} ${new URL('../bin/cs.mjs', import.meta.url).pathname}`
  const whole = t.cs('ls', '--json').stdout
  assert.ok(whole.length > 2 * 65536, `${whole.length} bytes: more than a pipe holds`)
  const r = spawnSync('sh', ['-c', `${cs} ls --json | { sleep 1; cat; }`], { env: t.env, encoding: 'utf8', maxBuffer: 1 << 26 })
  assert.equal(r.stderr, '')
  assert.equal(r.stdout, whole)
})

const uuid = (n: number) => `${String(n).padStart(8, '0')}-5555-4000-8000-000000000000`

test('-- ends the flags: a name that starts with a dash', () => {
  t.session({ id: uuid(1), cwd: '/w/dash', prompt: 'dash' })
  const r = t.cs('rename', uuid(1), '--', '-name')
  assert.equal(r.status, 0, r.stderr)
  assert.equal(t.json('info', uuid(1)).name, '-name')
  // launch passes what follows -- on to claude: it does not tell the user to put a name there
  const launch = t.cs('launch', 'x', '-p evil')
  assert.equal(launch.status, 2)
  assert.match(launch.stderr, /^cs: unknown flag -p \(what follows -- goes to claude: a name or prompt cannot start with -\)/)
  // completion passes on what follows -- too, to another program than claude
  const completion = t.cs('completion', '--bogus')
  assert.equal(completion.status, 2)
  assert.match(completion.stderr, /^cs: unknown flag --bogus \(what follows -- goes to the completion: the command line being completed, flags and all\)/)
})

test('an id shorter than 4 characters is named as too short, not as no match', () => {
  const r = t.cs('info', '00')
  assert.equal(r.status, 1)
  assert.match(r.stderr, /^cs: no session named '00', and '00' is too short for an id: give at least 4 characters/)
})

test('cs resume without a terminal prints the numbered list its help promises', () => {
  t.session({ id: uuid(2), cwd: t.home, prompt: 'resume me' })
  const r = t.cs('resume')
  assert.doesNotMatch(r.stderr, /ioctl/)
  assert.match(r.stdout, /^\s*1 {2}.*\n[\s\S]*resume which \(1-\d+\)\? /m)
})

test('cs last skips a session whose folder is gone, says so and names the next', () => {
  const gone = `${t.home}/no-such-folder`
  t.session({ id: uuid(3), cwd: t.home, prompt: 'older but here', at: new Date(Date.now() - 60_000).toISOString() })
  // newer than every session of the suite, within the minutes a record may run ahead of its write
  t.session({ id: uuid(4), cwd: gone, prompt: 'newest but gone', at: new Date(Date.now() + 300_000).toISOString() })
  const r = t.cs('last')
  assert.equal(r.status, 1)
  assert.match(r.stderr, new RegExp(`the most recent session, ${uuid(4).slice(0, 8)}.* ran in ${gone}, which is gone`))
  assert.match(r.stderr, /the next one is \S+ '.*' in /)
  assert.match(r.stderr, /cs resume /)
})

test('a control character or a bidirectional override in an argument is shown escaped (\\xNN, \\uNNNN), never written to the terminal', () => {
  const r = t.cs('info', 'a\x1b[31mred\x07')
  assert.equal(r.status, 1)
  assert.match(r.stderr, /^cs: no session matches 'a\\x1b\[31mred\\x07'$/m)
  // a bidirectional override (which would reverse the rest of the line) as \uNNNN
  const bidi = t.cs('launch', 'app\u202egnp')
  assert.equal(bidi.status, 2)
  assert.match(bidi.stderr, /^cs: session name 'app\\u202egnp' contains a bidirectional override$/m)
  const labels: [string[], string][] = [[['rename', 'abcd', 'x\u2067y'], 'name'], [['tag', 'abcd', 'x\u009by'], 'tag']]
  for (const [args, what] of labels) {
    const refused = t.cs(...args)
    assert.equal(refused.status, 2, args.join(' '))
    assert.match(refused.stderr, new RegExp(`^cs: a ${what} cannot hold control characters or bidirectional overrides$`, 'm'))
  }
  assert.doesNotMatch(r.stderr, /[\x00-\x08\x0b-\x1f]/)
  // longer than a row carries to other hosts: refused, not cut there
  const long = t.cs('rename', 'abcd', 'n'.repeat(2001))
  assert.equal(long.status, 2)
  assert.match(long.stderr, /^cs: a name is at most 2000 characters, not 2001$/m)
})

test('CLAUDE_CONFIG_DIR naming no folder is said', () => {
  const ls = (dir: string) =>
    spawnSync(process.execPath, [new URL('../bin/cs.mjs', import.meta.url).pathname, 'ls'], {
      env: { ...t.env, CLAUDE_CONFIG_DIR: dir },
      encoding: 'utf8',
    })
  const r = ls('/nonexistent')
  assert.equal(r.status, 0)
  assert.match(r.stderr, /warning: CLAUDE_CONFIG_DIR=\/nonexistent does not exist/)
  writeFileSync(`${t.home}/a-file`, '')
  const file = ls(`${t.home}/a-file`)
  assert.equal(file.status, 0)
  assert.match(file.stderr, /warning: CLAUDE_CONFIG_DIR=\S+\/a-file is not a folder: no transcripts/)
})

test('a FIFO named by config.json as ssh.config or a TLS file is said, never waited on', () => {
  const fifo = join(t.home, 'named pipe')
  execFileSync('mkfifo', [fifo])
  const file = join(t.env.XDG_CONFIG_HOME, 'cs/config.json')
  mkdirSync(dirname(file), { recursive: true })
  const before = existsSync(file) ? readFileSync(file) : null
  try {
    writeFileSync(file, JSON.stringify({ ssh: { config: fifo }, hosts: [{ name: 'devbox', ssh: 'dev@127.0.0.1' }] }), { mode: 0o600 })
    const kill = spawnSync(join(import.meta.dirname, '../bin/cs'), ['kill', 'x', '--host', 'devbox'], { env: t.env, encoding: 'utf8', timeout: 20_000 })
    assert.equal(kill.status, 2, kill.stderr)
    assert.match(kill.stderr, /^cs: ssh.config names .*named pipe, which is a FIFO\n +cs config set ssh.config FILE, or cs config unset ssh.config\n/)
    writeFileSync(file, JSON.stringify({ mongo: { url: 'mongodb://127.0.0.1:9/cs', tls: true, tlsCAFile: fifo } }), { mode: 0o600 })
    const sync = spawnSync(join(import.meta.dirname, '../bin/cs'), ['sync'], { env: t.env, encoding: 'utf8', timeout: 20_000 })
    assert.equal(sync.status, 2, sync.stderr)
    assert.match(sync.stderr, /cs: mongo.tlsCAFile names .*named pipe, which is a FIFO/)
  } finally {
    if (before) writeFileSync(file, before)
    else rmSync(file, { force: true })
  }
})

test('a shared store URL the driver cannot read is the config to fix (exit 2), its password taken out as a word, not from words', () => {
  const r = spawnSync(join(import.meta.dirname, '../bin/cs'), ['sync'], { env: { ...t.env, CS_MONGO_URL: 'mongodb://u:p@h:99999/cs' }, encoding: 'utf8', timeout: 20_000 })
  assert.equal(r.status, 2, r.stderr)
  assert.equal(r.stderr, 'cs: mongo.url mongodb://u:****@h:99999/cs cannot be used as set: Unable to parse h:99999 with URL\n    fix it, or mongo.tls* where they say otherwise: cs config set mongo.url mongodb://HOST:PORT/DATABASE (cs config shows them)\n')
})

test('a file path given to cs config set is kept absolute, as meant in the folder it was typed in; it must name a file', () => {
  // nothing there, or a FIFO (ssh -F would wait on it for good): refused where it is typed
  const missing = spawnSync(join(import.meta.dirname, '../bin/cs'), ['config', 'set', 'ssh.config', 'my ssh config'], { cwd: t.home, env: t.env, encoding: 'utf8' })
  assert.equal(missing.status, 2)
  assert.match(missing.stderr, /^cs: ssh.config names .*\/my ssh config, which is not there\n/)
  execFileSync('mkfifo', [join(t.home, 'a fifo')])
  const fifo = t.cs('config', 'set', 'mongo.tlsCAFile', join(t.home, 'a fifo'))
  assert.equal(fifo.status, 2)
  assert.match(fifo.stderr, /which is a FIFO/)
  writeFileSync(join(t.home, 'my ssh config'), 'Host *\n')
  const r = spawnSync(join(import.meta.dirname, '../bin/cs'), ['config', 'set', 'ssh.config', 'my ssh config'], { cwd: t.home, env: t.env, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(t.json('config')['ssh.config'], join(realpathSync(t.home), 'my ssh config'))
  // a value that is none: a usage error about it, never a fix that moves the whole file away
  const bad = t.cs('config', 'set', 'ssh.destination', 'a$(id)b')
  assert.equal(bad.status, 2)
  assert.equal(bad.stderr, "cs: `ssh.destination` must be a destination such as user@host, not 'a$(id)b'\n    the README's Configuration lists the keys and their values\n")
  const empty = t.cs('config', 'set', 'ssh.config', '')
  assert.equal(empty.status, 2)
  assert.match(empty.stderr, /to drop it: cs config unset ssh.config/)
  assert.equal(t.json('config')['ssh.config'], join(realpathSync(t.home), 'my ssh config'), 'the file as it was')
  assert.equal(t.cs('config', 'unset', 'ssh.config').status, 0)
  // a config.json that links into a dotfiles checkout is written through, the link kept
  const file = join(t.env.XDG_CONFIG_HOME, 'cs/config.json')
  const dotfile = join(t.home, 'dotfiles-cs.json')
  writeFileSync(dotfile, readFileSync(file))
  rmSync(file)
  symlinkSync(dotfile, file)
  assert.equal(t.cs('config', 'set', 'sync.titles', 'false').status, 0)
  assert.ok(lstatSync(file).isSymbolicLink(), 'the link is kept')
  assert.equal(JSON.parse(readFileSync(dotfile, 'utf8')).sync.titles, false)
  assert.equal(t.cs('config', 'unset', 'sync.titles').status, 0)
  // a link to a file not made yet (relative, into a folder not made yet either): made there
  rmSync(file)
  symlinkSync('../../dots/cs.json', file)
  assert.equal(t.cs('config', 'set', 'sync.titles', 'false').status, 0)
  assert.ok(lstatSync(file).isSymbolicLink(), 'the link is kept')
  assert.equal(JSON.parse(readFileSync(join(t.env.XDG_CONFIG_HOME, '../dots/cs.json'), 'utf8')).sync.titles, false)
})
