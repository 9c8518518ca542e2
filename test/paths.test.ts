import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../lib/config.ts'
import { CsError } from '../lib/errors.ts'
import {
  assertRemovable,
  dbPath,
  encodeProjectDir,
  findProjectDir,
  isInside,
  isSessionFile,
  projectsDir,
  trashDir,
} from '../lib/paths.ts'

const home = mkdtempSync(join(tmpdir(), 'cs-paths-'))
after(() => rmSync(home, { recursive: true, force: true }))
const config = loadConfig({ HOME: home, CLAUDE_CONFIG_DIR: join(home, 'claude') })

test('places the database, trash and projects folder from the settings', () => {
  assert.equal(projectsDir(config), join(home, 'claude/projects'))
  assert.equal(dbPath(config), join(home, '.local/state/cs/cs.db'))
  assert.equal(trashDir(config), join(home, '.local/share/cs/trash'))
})

test('encodes a folder the way Claude Code does: every non-alphanumeric becomes -', () => {
  assert.equal(encodeProjectDir('/home/u/my_proj.v2'), '-home-u-my-proj-v2')
  assert.equal(encodeProjectDir('/Users/x/.config'), '-Users-x--config')
  assert.equal(encodeProjectDir('/home/u/café dir'), '-home-u-caf--dir')
})

test('cuts names over 200 characters and appends the base-36 Java string hash', () => {
  const long = '/' + 'a'.repeat(250)
  // h = 31*h + c over "/" then 250 x "a", in 32-bit arithmetic
  let h = 0
  for (const c of long) h = Math.imul(h, 31) + c.charCodeAt(0) | 0
  const enc = encodeProjectDir(long)
  assert.equal(enc, `-${'a'.repeat(199)}-${Math.abs(h).toString(36)}`)
  assert.equal(encodeProjectDir('/' + 'b'.repeat(199)).length, 200)
})

test('finds the folder of a cwd, and a long one under another build hash suffix', () => {
  const cwd = join(home, 'work', 'x'.repeat(220))
  mkdirSync(cwd, { recursive: true })
  assert.equal(findProjectDir(config, cwd), null)
  const prefix = encodeProjectDir(cwd).slice(0, 200)
  const other = join(projectsDir(config), `${prefix}-zz9`)
  mkdirSync(other, { recursive: true })
  assert.equal(findProjectDir(config, cwd), other)
  const short = join(home, 'short')
  mkdirSync(short)
  const folder = join(projectsDir(config), encodeProjectDir(short))
  mkdirSync(folder)
  assert.equal(findProjectDir(config, short), folder)
})

test('only UUID-named .jsonl files are sessions', () => {
  assert.ok(isSessionFile('0b6a5ad1-31c4-4f4c-9a51-2d2f3c4b5a6e.jsonl'))
  for (const name of [
    'agent-1a2b3c4d.jsonl',
    'notes.jsonl',
    'invalid-resume-id.jsonl',
    '0b6a5ad1-31c4-4f4c-9a51-2d2f3c4b5a6e.orphaned-1700000000000-1a2b3c4d.jsonl',
    '0b6a5ad1-31c4-4f4c-9a51-2d2f3c4b5a6e.json',
    '0b6a5ad1-31c4-4f4c-9a51-2d2f3c4b5a6e',
  ])
    assert.ok(!isSessionFile(name), name)
})

test('isInside resolves .. and symlinks, and a folder is not inside itself', () => {
  const projects = projectsDir(config)
  const file = join(projects, 'p', 'a.jsonl')
  mkdirSync(join(projects, 'p'), { recursive: true })
  writeFileSync(file, '{}\n')
  assert.ok(isInside(file, projects))
  assert.ok(isInside(join(projects, 'p', 'not-yet.jsonl'), projects))
  assert.ok(!isInside(projects, projects))
  assert.ok(!isInside(join(projects, '..', 'settings.json'), projects))
  const escape = join(projects, 'p', 'escape')
  symlinkSync(home, escape)
  assert.ok(!isInside(join(escape, 'x'), projects))
  const link = join(home, 'link-to-projects')
  symlinkSync(projects, link)
  assert.ok(isInside(join(link, 'p', 'a.jsonl'), projects))
})

test('refuses to remove anything outside the projects folder and the trash', () => {
  const inside = join(projectsDir(config), 'p', 'a.jsonl')
  assert.equal(assertRemovable(config, inside), inside)
  assert.ok(assertRemovable(config, join(trashDir(config), 'x.jsonl')))
  assert.throws(() => assertRemovable(config, join(home, 'claude', 'settings.json')), CsError)
  assert.throws(() => assertRemovable(config, projectsDir(config)), CsError)
  assert.throws(() => assertRemovable(config, '/etc/passwd'), /refusing to touch \/etc\/passwd/)
})

test('a relative XDG_* path is ignored, as the XDG base directory spec says', () => {
  const c = loadConfig({ HOME: home, XDG_STATE_HOME: 'state', XDG_DATA_HOME: './data', XDG_CONFIG_HOME: 'cfg', XDG_RUNTIME_DIR: 'run' })
  assert.equal(c.stateDir, join(home, '.local/state/cs'))
  assert.equal(c.dataDir, join(home, '.local/share/cs'))
  assert.equal(c.configDir, join(home, '.config/cs'))
  assert.equal(c.sshControlDir, join(home, '.local/state/cs/ssh'))
  const d = loadConfig({ HOME: home, XDG_STATE_HOME: '/s', XDG_RUNTIME_DIR: '/r' })
  assert.equal(d.stateDir, '/s/cs')
  assert.equal(d.sshControlDir, '/r/cs-ssh')
})

test("CS_HOST that other hosts would refuse is refused here, naming the fix", () => {
  assert.equal(loadConfig({ HOME: home, CS_HOST: 'dev-box_2.lan' }).host, 'dev-box_2.lan')
  for (const bad of ['bad host', '-oProxyCommand=x', '.hidden', 'a;b'])
    assert.throws(() => loadConfig({ HOME: home, CS_HOST: bad }), (e: unknown) => e instanceof CsError && /is not a host name/.test(e.message))
})
