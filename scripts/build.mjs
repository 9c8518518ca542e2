// Bundles the CLI into dist/ so that `cs` starts without compiling TypeScript. Commands stay
// in their own chunks (lazy imports). The driver of the shared store is bundled into a chunk of
// its own, loaded only when one is configured: one file instead of some 200 CommonJS modules
// (40 ms less to load); its optional peers (compression, Kerberos, AWS, encryption, SOCKS),
// which it asks for only when a setting names them, stay outside as the npm package has them.
// Two of the driver's dependencies build big tables when loaded and serve paths cs may never take:
// they are required on first use instead (LAZY). better-sqlite3's JS is bundled too (its addon is loaded by path: lib/store-sqlite.ts). Plain
// JS: it runs at install time (`npm ci --omit=dev` runs `prepare`), where tsx is not installed.
import { build } from 'esbuild'
import { rmSync } from 'node:fs'

/** Modules the driver requires as it loads, each with what it builds then and when it is used. */
const LAZY = {
  '@mongodb-js/saslprep': 'a table of code points (10 ms): SCRAM-SHA-256 with a password',
  tr46: 'a mapping table (13 ms): host names of special URL schemes, never a mongodb:// URL',
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

const outdir = new URL('../dist/', import.meta.url).pathname
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: { cs: new URL('./cs.ts', import.meta.url).pathname },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  external: ['@aws-sdk/credential-providers', '@mongodb-js/zstd', 'gcp-metadata', 'kerberos', 'mongodb-client-encryption', 'snappy', 'socks'],
  // Bundled CommonJS (zx's deps) calls require(): give ESM one.
  banner: { js: "import { createRequire as __csRequire } from 'node:module'; const require = __csRequire(import.meta.url);" },
  plugins: [lazy],
  logLevel: 'warning',
})
