// Checks on values from other machines and Claude's files, and the config file that names them.
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadConfig, maskUrl, readConfigFile } from '../lib/config.ts'
import { CsError } from '../lib/errors.ts'
import { rowFromRemoteView } from '../lib/host-rows.ts'
import { cleanLines, cleanText, isCwd, isHostName, isSessionId, isSshDestination, isTmuxName, jsonText, TEXT_MAX } from '../lib/untrusted.ts'
import { buildViews } from '../lib/views.ts'
import { transcriptInfo } from './harness/session-fixtures.ts'

test('host names: plain names pass, options and shell words do not', () => {
  for (const h of ['devbox', 'dev-box.example.com', 'host_2', '10.0.0.7']) assert.ok(isHostName(h), h)
  for (const h of ['-oProxyCommand=touch /tmp/x', '', 'a b', 'a;b', '$(id)', 'a/b', 'ä', 42, null])
    assert.ok(!isHostName(h), String(h))
})

test('ssh destinations: user@host and aliases pass, options and second words do not', () => {
  for (const d of ['devbox', 'me@dev.example.com', 'me@10.0.0.7', 'dev_box-2']) assert.ok(isSshDestination(d), d)
  for (const d of ['-oProxyCommand=touch /tmp/x', '', 'a b', 'a\nb', 'a\u001b[2J', 42, null])
    assert.ok(!isSshDestination(d), String(d))
})

test('session ids are UUIDs, never paths', () => {
  assert.ok(isSessionId('0123abcd-0000-4000-8000-000000000000'))
  for (const s of ['../../..', '0123abcd', '0123abcd-0000-4000-8000-000000000000/..', undefined]) assert.ok(!isSessionId(s))
})

test('tmux names: what a local launch accepts, without . : leading $ or - or control characters', () => {
  for (const n of ['api', 'my app', 'x $(touch /tmp/x)', 'ünï']) assert.ok(isTmuxName(n), n)
  for (const n of ['a.b', 'a:b', '$x', '-x', 'a\nb', ' a', '', 'a\u001b[2J', 'a\u202eb', 'a\u2067b']) assert.ok(!isTmuxName(n), JSON.stringify(n))
})

test('working folders are absolute paths without control characters', () => {
  assert.ok(isCwd('/home/u/src/my app'))
  for (const c of ['src', '', '/tmp/a\nb', '/x\u001b]0;t\u0007', '/srv/\u202egnp.exe']) assert.ok(!isCwd(c))
})

test('cleanText removes escape sequences and control characters, keeps text', () => {
  assert.equal(cleanText('plain title'), 'plain title')
  assert.equal(cleanText('\u001b]0;owned\u0007title\u001b[2J\u001b[31m red'), 'title red')
  assert.equal(cleanText('a\tb\n\nc  d\u009b2J'), 'a b c d')
  assert.equal(cleanText('\u001b[2J'), null)
  // a right-to-left override would show the rest of the line (the other columns) reversed
  assert.equal(cleanText('fix \u202eevil\u202c the \u2067bug\u2069'), 'fix evil the bug')
  assert.equal(cleanText('\u202e'), null)
  assert.equal(cleanText(null), null)
})

test('cleanText cuts text beyond TEXT_MAX, and a view its title, branch and model: any row travels to other hosts whole', () => {
  assert.equal(cleanText('x'.repeat(TEXT_MAX)), 'x'.repeat(TEXT_MAX))
  const cut = cleanText('x'.repeat(TEXT_MAX + 500))!
  assert.equal(cut.length, TEXT_MAX)
  assert.ok(cut.endsWith('x\u2026'))
  // a pair of surrogates is kept whole or left out, never halved
  const emoji = cleanText('x'.repeat(TEXT_MAX - 2) + '\u{1f600}'.repeat(10))!
  assert.ok(emoji.length <= TEXT_MAX)
  assert.doesNotMatch(emoji, /[\ud800-\udbff](?![\udc00-\udfff])/)
  // a view of a 3,000-character custom title (Claude's /rename) passes another host's check
  const long = 't'.repeat(3000)
  const info = transcriptInfo({ id: 'abcd0000-0000-4000-8000-000000000001', customTitle: long, branch: long, model: long })
  const v = buildViews([info], new Map(), [], 'here', [], new Date())[0]
  assert.deepEqual([v.title.length, v.branch?.length, v.model?.length], [TEXT_MAX, TEXT_MAX, TEXT_MAX])
  assert.ok(!('skipped' in rowFromRemoteView(JSON.parse(JSON.stringify(v)), '0.1.0')))
})

test('maskUrl hides the password and nothing else', () => {
  assert.equal(maskUrl('mongodb://cs:s3cr%40t@db.example:27017/cs?tls=true'), 'mongodb://cs:****@db.example:27017/cs?tls=true')
  assert.equal(maskUrl('mongodb://db.example:27017/'), 'mongodb://db.example:27017/')
  // an unescaped @ in the password: all of it, up to the last @ before the host
  assert.equal(maskUrl('mongodb://u:p@ss@h:1/cs'), 'mongodb://u:****@h:1/cs')
  // an unescaped /, ? or # (a base64 password): all of it too, though the driver refuses it
  for (const password of ['pa/ssWORD', 'pa?ss', 'pa#ss', 'a/b?c#d@e'])
    assert.equal(maskUrl(`mongodb://alice:${password}@127.0.0.1:27232/cs`), 'mongodb://alice:****@127.0.0.1:27232/cs')
  // an @ in an option after the host is not a password's end
  assert.equal(maskUrl('mongodb://u:p/w@h/cs?appName=a@b'), 'mongodb://u:****@h/cs?appName=a@b')
  // a secret in an option, and hosts, other options and a user alone left as they are
  assert.equal(
    maskUrl('mongodb://h1,h2/cs?tls=true&tlsCertificateKeyFilePassword=hunter2&replicaSet=rs'),
    'mongodb://h1,h2/cs?tls=true&tlsCertificateKeyFilePassword=****&replicaSet=rs'
  )
  assert.equal(maskUrl('mongodb://user@h/cs'), 'mongodb://user@h/cs')
})

test('config file: read, environment wins, bad files refused with a fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-config-'))
  const env = { HOME: dir, XDG_CONFIG_HOME: dir }
  assert.equal(loadConfig(env).shared, null)
  const file = join(dir, 'cs', 'config.json')
  const write = (v: unknown, mode = 0o600) => {
    writeFileSync(join(dir, 'cs', 'config.json'), JSON.stringify(v))
    chmodSync(file, mode)
  }
  mkdirSync(join(dir, 'cs'))
  write({ mongo: { url: 'mongodb://127.0.0.1:1/' }, sync: { titles: false }, hosts: [{ name: 'b', ssh: 'u@b' }] })
  const c = loadConfig(env)
  assert.equal(c.shared?.url, 'mongodb://127.0.0.1:1/')
  assert.equal(c.syncTitles, false)
  assert.deepEqual(c.hosts, [{ name: 'b', ssh: 'u@b', cs: null }])
  assert.equal(loadConfig({ ...env, CS_MONGO_URL: 'mongodb://x/' }).shared?.url, 'mongodb://x/')

  const refused = (v: unknown, pattern: RegExp, mode?: number) => {
    write(v, mode)
    assert.throws(() => readConfigFile(file), (e) => e instanceof CsError && pattern.test(e.message) && !!e.hint)
  }
  refused({ mongo: { url: 'mongodb://u:hunter2@h/' } }, /others can read it/, 0o644)
  refused({ mongo: { url: 'mongodb://u:hun/ter2@h/' } }, /others can read it/, 0o640)
  refused({ mongo: { url: 'mongodb://h/cs?tlsCertificateKeyFilePassword=x' } }, /others can read it/, 0o644)
  // a password of digits, or digits and a comma, is one (the driver takes it so)
  refused({ mongo: { url: 'mongodb://alice:31415926@db.example/cs' } }, /others can read it/, 0o644)
  refused({ mongo: { url: 'mongodb://alice:2024,summer@db.example/cs' } }, /others can read it/, 0o644)
  refused({ hosts: [{ name: '-oProxyCommand=touch /tmp/x' }] }, /plain host name/)
  refused({ hosts: [{ name: 'b', ssh: '-oProxyCommand=x' }] }, /destination/)
  refused({ hosts: [{ name: 'b', ssh: 'b' }, { name: 'b', ssh: 'other.invalid' }] }, /host b is listed twice/)
  refused([], /not a JSON object/)
  writeFileSync(file, '{ nope')
  assert.throws(() => readConfigFile(file), (e) => e instanceof CsError && /cannot read/.test(e.message) && !!e.hint?.includes(`mv ${file} ${file}.bak`))
  writeFileSync(file, ' \n') // an empty file sets nothing
  assert.deepEqual(readConfigFile(file), {})
  write({ mongo: { url: 'mongodb://u:hunter2@h/' } }, 0o600)
  assert.equal(readConfigFile(file).mongo?.url, 'mongodb://u:hunter2@h/')
})

test('cleanLines keeps lines and indentation, drops escapes, controls and bidi overrides', () => {
  assert.equal(cleanLines('a\n  b\tc'), 'a\n  b  c')
  assert.equal(cleanLines('\u001b]0;t\u0007x\u001b[2J\r\u0008y\u202ez\u009b31m'), 'xyz')
})

test('jsonText: the same JSON, with no control character or bidirectional override left raw', () => {
  const value = { title: 'a\u009b31m\u0085b\u202e\u2066c\u001b[2J\u007f', n: [1, null], ok: 'ünï 日本' }
  const text = jsonText(value)
  assert.deepEqual(JSON.parse(text), value)
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
  assert.match(text, /ünï 日本/)
})
