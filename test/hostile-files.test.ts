// Claude's folders as an attacker (or a mishap) leaves them: FIFOs, devices and symlinks where
// files should be, transcripts pointing outside the projects folder, escape sequences in what
// a transcript says. No command hangs, reads outside, or prints an escape sequence.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, utimesSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, test } from 'node:test'
import { isolatedCs, transcript } from './harness/cs.ts'

const t = isolatedCs('hostile-files')
const outside = mkdtempSync(join(tmpdir(), 'cs-outside-'))
after(() => {
  t.cleanup()
  rmSync(outside, { recursive: true, force: true })
})

const ESC = /[\u001b\u009b\u0007]/
const uuid = (n: number) => `${String(n).padStart(8, '0')}-1111-4000-8000-000000000000`

test('a FIFO or a symlink to /dev/zero in the registry, the jobs or the projects folder hangs nothing', () => {
  const claude = t.env.CLAUDE_CONFIG_DIR
  mkdirSync(join(claude, 'sessions'), { recursive: true })
  mkdirSync(join(claude, 'jobs', 'abcd1234'), { recursive: true })
  execFileSync('mkfifo', [join(claude, 'sessions', `${process.pid}.json`)])
  symlinkSync('/dev/zero', join(claude, 'sessions', '1.json'))
  execFileSync('mkfifo', [join(claude, 'jobs', 'abcd1234', 'state.json')])
  const path = t.session({ id: uuid(1), cwd: '/w/fifo', prompt: 'a real one' })
  execFileSync('mkfifo', [join(dirname(path), `${uuid(2)}.jsonl`)])
  symlinkSync('/dev/zero', join(dirname(path), `${uuid(3)}.jsonl`))
  for (const args of [['ls'], ['ls', '--json'], ['list'], ['sync', '--full'], ['status'], ['doctor']]) {
    const r = t.cs(...args)
    assert.notEqual(r.status, -1, `cs ${args.join(' ')} hung`)
    assert.doesNotMatch(r.stderr, /internal error/, args.join(' '))
  }
  assert.deepEqual(t.json('ls').map((v: { id: string }) => v.id), [uuid(1)])
  const preview = t.cs('preview', uuid(2))
  assert.equal(preview.status, 1)
  assert.match(preview.stderr, /not a regular file/)
  rmSync(join(claude, 'sessions'), { recursive: true })
  rmSync(join(claude, 'jobs'), { recursive: true })
})

test('a link that loops, as a transcript or as a project folder, is left out: the index goes on', () => {
  const path = t.session({ id: uuid(40), cwd: '/w/loops', prompt: 'beside the loops' })
  const looping = join(dirname(path), `${uuid(41)}.jsonl`)
  symlinkSync(looping, looping)
  const folder = join(t.projects, '-w-loop-folder')
  symlinkSync(folder, folder)
  try {
    for (const args of [['sync', '--full'], ['ls'], ['ls', '--json'], ['info', uuid(40)]]) {
      const r = t.cs(...args)
      assert.equal(r.status, 0, `cs ${args.join(' ')}: ${r.stderr}`)
      assert.doesNotMatch(r.stderr, /internal error|ELOOP/, args.join(' '))
    }
    assert.ok(t.json('ls').some((v: { id: string }) => v.id === uuid(40)))
  } finally {
    rmSync(looping)
    rmSync(folder)
  }
})

test('a transcript or project folder that resolves outside the projects folder is not read', () => {
  const id = uuid(10)
  writeFileSync(join(outside, `${id}.jsonl`), transcript({ id, cwd: '/w/outside', prompt: 'secret outside' }))
  const inside = dirname(t.session({ id: uuid(11), cwd: '/w/inside', prompt: 'inside' }))
  symlinkSync(join(outside, `${id}.jsonl`), join(inside, `${id}.jsonl`))
  symlinkSync(outside, join(t.projects, '-w-linked'))
  const ids = t.json('ls', '--all').map((v: { id: string }) => v.id)
  assert.ok(ids.includes(uuid(11)))
  assert.ok(!ids.includes(id), 'a symlink out of the projects folder is not indexed')
  const preview = t.cs('preview', id)
  assert.equal(preview.status, 1)
  assert.match(preview.stderr, /outside/)
  assert.doesNotMatch(preview.stdout, /secret/)
  rmSync(join(inside, `${id}.jsonl`))
  rmSync(join(t.projects, '-w-linked'))
})

test('escape sequences in a transcript reach no terminal: ls, info, preview, resume list', () => {
  const id = uuid(20)
  const evil = 'fix \u001b]0;pwned\u0007the \u001b[2J\u001b[31mbug\u009b1m\r\u0008 now'
  const cwd = '/w/\u001b[5mblink'
  t.session({ id, cwd, prompt: evil })
  const info = t.cs('info', id)
  assert.equal(info.status, 0, info.stderr)
  assert.doesNotMatch(info.stdout, ESC)
  assert.match(info.stdout, /fix the bug now/)
  const preview = t.cs('preview', id)
  assert.equal(preview.status, 0, preview.stderr)
  assert.doesNotMatch(preview.stdout, ESC)
  assert.match(preview.stdout, /fix the bug/)
  for (const args of [['ls'], ['list'], ['ls', '--all', '--verbose']]) {
    const r = t.cs(...args)
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /fix the bug/, args.join(' '))
    assert.doesNotMatch(r.stdout, ESC, args.join(' '))
  }
  // on a terminal cs colours its own words (bold, dim: 1m, 2m, 22m): every other sequence, the
  // transcript's [31m and [5m among them, would be the transcript's
  for (const args of [['info', id], ['ls']]) {
    const pty = t.pty(args)
    assert.match(pty.stdout, /fix the bug/, args.join(' '))
    assert.doesNotMatch(pty.stdout.replace(/\u001b\[(1|2|22|0)?m/g, ''), ESC, `${args.join(' ')}: colour codes are cs's own; nothing else`)
  }
  // JSON.stringify writes C1 controls (U+009B is a CSI to xterm) and bidirectional overrides as
  // they are: every --json escapes them, the raw record of info and doctor's drift included
  const RAW = /[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/
  const bidi = uuid(21)
  const path = t.session({ id: bidi, cwd: '/w/bidi', prompt: 'evil \u202eexe.txt\u009b31m' })
  appendFileSync(path, '{"type":"\u009b31mnew\u202ekind","\u009d0;t\u009c":1}\n')
  for (const args of [['info', bidi, '--json'], ['ls', '--json'], ['doctor', '--json']]) {
    const r = t.cs(...args)
    assert.doesNotMatch(r.stdout, RAW, args.join(' '))
    assert.ok(JSON.parse(r.stdout), args.join(' '))
  }
})

test('a transcript replaced by another of the same size and mtime is read again (its inode)', () => {
  const id = uuid(30)
  const path = t.session({ id, cwd: '/w/inode', prompt: 'first title AAAA' })
  const when = Math.floor(Date.now() / 1000) - 120 // whole seconds: utimes keeps them exactly
  const folderWhen = when - 3600
  utimesSync(path, when, when)
  utimesSync(dirname(path), folderWhen, folderWhen)
  assert.equal(t.json('info', id).title, 'first title AAAA')
  const size = statSync(path).size
  const next = `${path}.new`
  writeFileSync(next, transcript({ id, cwd: '/w/inode', prompt: 'other title BBBB' }))
  utimesSync(next, when, when)
  renameSync(next, path)
  utimesSync(dirname(path), folderWhen, folderWhen) // the folder's mtime as it was: only the inode tells
  assert.deepEqual([statSync(path).size, statSync(path).mtimeMs], [size, when * 1000])
  assert.equal(t.json('info', id).title, 'other title BBBB')
  // and by the sync that walks every file when it is due, for a file outside the hot set
  const old = Math.floor(Date.now() / 1000) - 30 * 86400
  utimesSync(path, old, old)
  utimesSync(dirname(path), folderWhen, folderWhen)
  t.cs('sync')
  const again = `${path}.new`
  writeFileSync(again, transcript({ id, cwd: '/w/inode', prompt: 'third title CCCC' }))
  utimesSync(again, old, old)
  renameSync(again, path)
  utimesSync(dirname(path), folderWhen, folderWhen)
  t.env.CS_FULL_SCAN_SECONDS = '0'
  assert.equal(t.cs('sync').status, 0)
  delete t.env.CS_FULL_SCAN_SECONDS
  assert.equal(t.json('info', id).title, 'third title CCCC')
})
