#!/usr/bin/env node
// Runs the prebuilt bundle (made by `npm install`, `npm run build`); without one, the
// TypeScript sources through tsx, which is slower to start but needs no build.
import { existsSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'

// The young generation keeps its first size: V8 would otherwise grow it to 32 MB over a long
// index run, a fifth of the process's peak memory, for no measurable gain in a short-lived CLI.
setFlagsFromString('--semi-space-growth-factor=1')

const bundle = new URL('../dist/cs.mjs', import.meta.url)
if (existsSync(bundle) && !process.env.CS_FROM_SOURCE) {
  await import(bundle.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../scripts/cs.ts')
}
