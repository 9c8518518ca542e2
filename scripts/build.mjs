// Bundles the CLI into dist/ so that `cs` starts without compiling TypeScript. Commands stay
// in their own chunks (lazy imports). The driver of the shared store is bundled into a chunk of
// its own, loaded only when one is configured: one file instead of some 200 CommonJS modules
// (40 ms less to load); its optional peers (compression, Kerberos, AWS, encryption, SOCKS),
// which it asks for only when a setting names them, stay outside as the npm package has them.
// better-sqlite3's JS is bundled too (its addon is loaded by path: lib/store-sqlite.ts). Plain
// JS: it runs at install time (`npm ci --omit=dev` runs `prepare`), where tsx is not installed.
import { build } from 'esbuild'
import { rmSync } from 'node:fs'

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
  logLevel: 'warning',
})
