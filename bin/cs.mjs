#!/usr/bin/env node
// Runs the prebuilt bundle (made by `npm install`, `npm run build`); without one, the
// TypeScript sources through tsx, which is slower to start but needs no build.
import { existsSync } from 'node:fs'

const bundle = new URL('../dist/cs.mjs', import.meta.url)
if (existsSync(bundle) && !process.env.CS_FROM_SOURCE) {
  await import(bundle.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../scripts/cs.ts')
}
