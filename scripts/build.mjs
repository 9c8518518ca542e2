// Bundles the CLI into dist/ so that `cs` starts without compiling TypeScript: dist/cli.cjs, one
// CommonJS file, run by dist/cs.cjs (scripts/cs-loader.cjs) with a V8 code cache. One file and
// not ES module chunks: Node loads CommonJS synchronously, where its ES module loader costs some
// 25 ms more for the two dozen chunks a dashboard needs (10 ms of it to start the loader itself),
// and V8 compiles a function only when it first runs, so the commands a run does not use cost
// little. Modules reached only through a command's lazy import still run only when it is imported.
//
// The driver of the shared store is bundled into a file of its own, dist/mongodb.cjs, required
// only when one is configured: one file instead of some 200 CommonJS modules (40 ms less to
// load); its optional peers (compression, Kerberos, AWS, encryption, SOCKS), which it asks for
// only when a setting names them, stay outside as the npm package has them. Two of its
// dependencies build big tables as they load, and four of Node's own modules take milliseconds
// to load, for paths cs may never take: they are required on first use instead (LAZY).
// better-sqlite3's JS is bundled too (its addon is loaded by path: lib/store-sqlite.ts). Plain
// JS: it runs at install time (`npm ci --omit=dev` runs `prepare`), where tsx is not installed.
import { build } from 'esbuild'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'

/** Modules the driver requires as it loads, each with what it costs then and when it is used. */
const LAZY = {
  '@mongodb-js/saslprep': 'a table of code points (10 ms): SCRAM-SHA-256 with a password',
  tr46: 'a mapping table (13 ms): host names of special URL schemes, never a mongodb:// URL',
  // Node's own, used through their members only: 4 ms, 2 ms, 1 ms, 1 ms and 2 ms to load
  tls: 'a TLS connection (tls: true in the config)',
  http: 'OIDC and cloud credentials, which cs does not configure',
  zlib: 'wire compression, which cs does not configure',
  dns: 'mongodb+srv:// URLs and Kerberos',
  'fs/promises': 'client-side encryption and OIDC on Kubernetes (it loads readline too)',
}
/** Resolves each LAZY module to a proxy that requires the real one when a property is read. */
const lazy = {
  name: 'lazy',
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(LAZY).join('|').replace(/[/.]/g, '\\$&')})$`)
    b.onResolve({ filter }, (a) =>
      a.namespace === 'lazy' ? undefined : { path: a.path, namespace: 'lazy', pluginData: a.resolveDir }
    )
    b.onLoad({ filter: /./, namespace: 'lazy' }, (a) => ({
      contents: `let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require(${JSON.stringify(a.path)}))[k] })`,
      resolveDir: a.pluginData,
      loader: 'js',
    }))
  },
}

/** The CLI's `import('mongodb')` requires the driver's own bundle, beside it in dist/. */
const driver = {
  name: 'driver',
  setup(b) {
    b.onResolve({ filter: /^mongodb$/ }, () => ({ path: './mongodb.cjs', external: true }))
  },
}

// Built beside dist/ and swapped in whole at the end: a cs started meanwhile (the hook, the status
// line, cs update's own) runs the bundle before, never a folder half written or gone. A failed
// build leaves no bundle at all (bin/cs then runs the sources), as before.
const dist = new URL('../dist', import.meta.url).pathname
const outdir = `${dist}.new/`
rmSync(outdir, { recursive: true, force: true })
process.on('exit', (code) => {
  if (code === 0) return
  rmSync(outdir, { recursive: true, force: true })
  rmSync(dist, { recursive: true, force: true })
})
const common = { bundle: true, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'warning' }
await build({
  ...common,
  entryPoints: ['mongodb'],
  outfile: `${outdir}mongodb.cjs`,
  external: ['@aws-sdk/credential-providers', '@mongodb-js/zstd', 'gcp-metadata', 'kerberos', 'mongodb-client-encryption', 'snappy', 'socks'],
  plugins: [lazy],
  // a third less to read and hash at each load; names stay as they are (blanks and newlines go)
  minifyWhitespace: true,
})
await build({
  ...common,
  entryPoints: [new URL('./cs.ts', import.meta.url).pathname],
  outfile: `${outdir}cli.cjs`,
  plugins: [driver],
  // every import() a require(), the driver's too: an import() would start Node's ES module loader
  supported: { 'dynamic-import': false },
  // the sources are ES modules: their import.meta.url is the bundle's own
  define: { 'import.meta.url': '__csUrl' },
  banner: { js: "const __csUrl = require('node:url').pathToFileURL(__filename).href;" },
  // as the driver's: a fifth less to read and decode at every start (names stay, so the stack
  // of an internal error still names its functions; a developer runs the sources: CS_FROM_SOURCE=1)
  minifyWhitespace: true,
})

// Node reads an ASCII file as one-byte text, and UTF-8 by a slower path (5 ms for this bundle),
// and the loader reads both bundles as one-byte text: esbuild escapes what is not ASCII, except
// in regular expressions, written with \u escapes.
for (const name of ['cli.cjs', 'mongodb.cjs']) {
  const bundle = readFileSync(`${outdir}${name}`, 'latin1')
  const wide = /[^\0-\x7f]/.exec(bundle)
  if (wide) {
    // the text around it, not a line number: the bundles are a few long lines
    const around = JSON.stringify(bundle.slice(Math.max(0, wide.index - 40), wide.index + 40))
    process.stderr.write(`build: dist/${name} is not ASCII in ${around}: write the character as a \\u escape\n`)
    process.exit(1) // no bundle, as after any failed build
  }
}
copyFileSync(new URL('./cs-loader.cjs', import.meta.url), `${outdir}cs.cjs`)

// bin/cs lists the dashboard's panes with tmux while Node starts: in lib/pane-row.ts's format,
// bounded as lib/tmux.ts bounds its own calls
const tmuxRead = await build({
  ...common,
  stdin: {
    contents: "export { PANE_FORMAT } from './lib/pane-row.ts'\nexport { TMUX_ANSWER_SECONDS } from './lib/tmux.ts'",
    resolveDir: new URL('..', import.meta.url).pathname,
    loader: 'ts',
  },
  format: 'esm',
  write: false,
})
const { PANE_FORMAT, TMUX_ANSWER_SECONDS } = await import(
  `data:text/javascript,${encodeURIComponent(tmuxRead.outputFiles[0].text)}`
)
writeFileSync(`${outdir}tmux-read`, `${PANE_FORMAT}\n${TMUX_ANSWER_SECONDS}\n`)

// The code cache, from the dashboard's run in a sandbox of one short transcript (no tmux server):
// most of what any command compiles at start (its full walk, a background sync, put off), and
// the records read (by JSON.parse, as a process's first MB is: lib/transcript.ts) and the index's
// writes, which every dashboard after an append to a live session runs (some 2 ms of compiling
// there). A failure leaves it to the first run.
const sandbox = mkdtempSync(`${tmpdir()}/cs-build-`)
const dirs = { HOME: '', XDG_CONFIG_HOME: 'config', XDG_STATE_HOME: 'state', XDG_DATA_HOME: 'data', CLAUDE_CONFIG_DIR: 'claude' }
mkdirSync(`${sandbox}/claude/projects/-work-app`, { recursive: true })
writeFileSync(`${sandbox}/claude/projects/-work-app/00000000-0000-4000-8000-000000000000.jsonl`, transcript())
// the full walk never due (a fresh store's last one is at 0): the background sync it would start
// writes into the sandbox while it is removed below, and `npm run build` failed on that at times
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', CS_TMUX_SOCKET: `cs-build-${process.pid}`, CS_FULL_SCAN_SECONDS: '1e12' }
for (const [name, sub] of Object.entries(dirs)) env[name] = `${sandbox}/${sub}`
spawnSync(process.execPath, [`${outdir}cs.cjs`, 'ls', '--json'], { env, stdio: 'ignore' })
rmSync(sandbox, { recursive: true, force: true })

// the swap: two renames, with no moment of a half-written dist/
rmSync(`${dist}.old`, { recursive: true, force: true })
if (existsSync(dist)) renameSync(dist, `${dist}.old`)
renameSync(outdir, dist)
rmSync(`${dist}.old`, { recursive: true, force: true })

/** A few records of each kind a working session appends, as Claude Code 2.1.x writes them. */
function transcript() {
  const envelope = { userType: 'external', entrypoint: 'cli', cwd: '/work/app', sessionId: '00000000-0000-4000-8000-000000000000', version: '2.1.332', gitBranch: 'main' }
  const at = (i) => ({ uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() })
  const usage = { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 20, service_tier: 'standard' }
  const assistant = (content) => ({ message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-opus-4-5', content, usage } })
  const records = [
    { type: 'user', message: { role: 'user', content: `fix the build, then say "done"\n${'and keep every test green; '.repeat(10)}` } },
    { ...assistant([{ type: 'text', text: 'On it.' }]), type: 'assistant' },
    { ...assistant([{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'npm test' } }]), type: 'assistant' },
    { type: 'user', message: { role: 'user', content: [{ tool_use_id: 'toolu_1', type: 'tool_result', content: 'ok "1"' }] }, toolUseResult: { stdout: 'ok', stderr: '' } },
    { type: 'progress', data: { type: 'hook_progress', hookEvent: 'Stop' } },
    { type: 'system', subtype: 'stop_hook_summary', hookCount: 1 },
  ]
  return records.map((r, i) => `${JSON.stringify({ parentUuid: null, isSidechain: false, ...r, ...at(i), ...envelope })}\n`).join('')
}
