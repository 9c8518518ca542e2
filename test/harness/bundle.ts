// Tests run cs as users do: the bundle in dist/ (bin/cs and bin/cs.mjs run it), built by
// `npm run build`.
// `npm test` builds it first; a single suite run by hand rebuilds it here when a source is newer.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

const REPO = resolve(import.meta.dirname, '../..')
export const BUNDLE = join(REPO, 'dist/cs.cjs')

/** The newest mtime of the files the bundle is made from. */
function newestSource(): number {
  let newest = statSync(join(REPO, 'package.json')).mtimeMs
  for (const dir of ['lib', 'scripts'])
    for (const f of readdirSync(join(REPO, dir), { recursive: true, withFileTypes: true }))
      if (f.isFile() && /\.(ts|cjs|mjs)$/.test(f.name)) newest = Math.max(newest, statSync(join(f.parentPath, f.name)).mtimeMs)
  return newest
}

/** Builds dist/ unless it is newer than every source. */
export function ensureBundle(): void {
  const built = statSync(BUNDLE, { throwIfNoEntry: false })?.mtimeMs ?? 0
  if (built > newestSource()) return
  const r = spawnSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { cwd: REPO, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`npm run build failed: ${r.stderr}`)
}
