// The last output of a command that only reads (cs ls --json), kept with the key it was made
// under: while nothing it was made from has changed, it is printed again, bytes as they are,
// instead of loading, merging and printing 10,000 sessions anew.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from './config.ts'

/** Prints the output kept under name for key, or render()'s, which is kept in its place. */
export function printCached(config: Config, name: string, key: string, render: () => string): void {
  const path = join(config.stateDir, `${name}.cache`)
  const head = Buffer.from(`${key}\n`) // a JSON key holds no raw newline
  let kept: Buffer | null = null
  try {
    kept = readFileSync(path)
  } catch {
    // none yet, or unreadable: make it
  }
  if (kept && kept.subarray(0, head.length).equals(head)) {
    process.stdout.write(kept.subarray(head.length))
    return
  }
  const out = Buffer.from(render() + '\n')
  process.stdout.write(out)
  const tmp = `${path}.${process.pid}.tmp`
  try {
    mkdirSync(config.stateDir, { recursive: true })
    writeFileSync(tmp, Buffer.concat([head, out]))
    renameSync(tmp, path) // readers never see half a file
  } catch {
    // a full disk or a read-only folder: the output was printed all the same
    try {
      rmSync(tmp, { force: true })
    } catch {
      // nothing was written
    }
  }
}
