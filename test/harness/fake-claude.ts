// A stand-in for the claude binary that records how cs started it: its argv (NUL-separated, so
// every byte survives), its cwd and environment, in a file named after the session id it got.
// Tests of cs's own quoting use it; tests of Claude's behaviour use the real client.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { poll } from './tmux.ts'

export interface Recorded {
  argv: string[] // without argv[0]
  cwd: string
  env: Record<string, string>
}

/** Writes the script under dir; returns its path (for CS_CLAUDE) and a reader of its records. */
export function fakeClaude(dir: string) {
  mkdirSync(dir, { recursive: true })
  const bin = join(dir, 'claude')
  // the id follows --session-id or --resume; `attach`/`stop` record under the background id
  writeFileSync(
    bin,
    `#!/bin/sh
id=$2
out='${dir}'/"$id"
{ for a in "$@"; do printf '%s\\0' "$a"; done; } > "$out.argv.tmp"
pwd > "$out.cwd.tmp"
env -0 > "$out.env.tmp"
mv "$out.cwd.tmp" "$out.cwd"; mv "$out.env.tmp" "$out.env"; mv "$out.argv.tmp" "$out.argv"
case "$1" in attach|stop) exit 0 ;; esac
exec sleep 600
`
  )
  chmodSync(bin, 0o755)
  const split = (s: string) => s.split('\0').slice(0, -1)
  const read = (id: string): Recorded => ({
    argv: split(readFileSync(join(dir, `${id}.argv`), 'utf8')),
    cwd: readFileSync(join(dir, `${id}.cwd`), 'utf8').trim(),
    env: Object.fromEntries(split(readFileSync(join(dir, `${id}.env`), 'utf8')).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
  })
  /** Waits for the record of a start with this id. */
  const wait = (id: string) =>
    poll(
      () => {
        const ok = existsSync(join(dir, `${id}.argv`))
        return { ok, last: null, value: ok ? read(id) : undefined }
      },
      30_000,
      `fake claude started for ${id}`
    ) as Promise<Recorded>
  /** Drops the record of id, to wait for its next start. */
  const forget = (id: string) => rmSync(join(dir, `${id}.argv`), { force: true })
  return { bin, read, wait, forget }
}
