// Bundles the CLI into dist/ so that `cs` starts without compiling TypeScript. Commands stay
// in their own chunks (lazy imports); native and heavy packages stay external. Plain JS: it
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
  external: ['better-sqlite3', 'mongodb'],
  // Bundled CommonJS (zx's deps) calls require(): give ESM one.
  banner: { js: "import { createRequire as __csRequire } from 'node:module'; const require = __csRequire(import.meta.url);" },
  logLevel: 'warning',
})
