// Bundles the CLI into dist/ so that `cs` starts without compiling TypeScript. Commands stay
// in their own chunks (lazy imports); the driver of the shared store stays external (loaded only
// when one is configured), better-sqlite3's JS is bundled (its addon is loaded by path:
// lib/store-sqlite.ts), which spares the dashboard a dozen CommonJS files. Plain JS: it
// runs at install time (`npm ci --omit=dev` runs `prepare`), where tsx is not installed.
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
  external: ['mongodb'],
  // Bundled CommonJS (zx's deps) calls require(): give ESM one.
  banner: { js: "import { createRequire as __csRequire } from 'node:module'; const require = __csRequire(import.meta.url);" },
  logLevel: 'warning',
})
