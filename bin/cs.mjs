#!/usr/bin/env node
// Runs the prebuilt bundle (made by ./install.sh, `npm ci`, `npm run build`); with
// CS_FROM_SOURCE=1 or no bundle, the TypeScript sources through tsx (a development dependency:
// slower to start, needs no build).
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const bundle = new URL('../dist/cs.cjs', import.meta.url)
if (existsSync(bundle) && !process.env.CS_FROM_SOURCE) {
  createRequire(import.meta.url)(fileURLToPath(bundle))
} else {
  let register
  try {
    ;({ register } = await import('tsx/esm/api'))
  } catch {
    const root = new URL('..', import.meta.url).pathname
    process.stderr.write(`cs: not built yet (no ${root}dist/)\n    run ${root}install.sh\n`)
    process.exit(3)
  }
  register()
  await import('../scripts/cs.ts')
}
