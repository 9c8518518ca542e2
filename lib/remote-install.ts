// `cs hosts add NAME --install`: cs put on a host that lacks it, over ssh, the same version as
// this one and built there. This checkout's commit travels as a git bundle on ssh's stdin (the
// host needs no access to where this cs came from), is cloned there, pointed at this checkout's
// origin (so that `cs update` there follows it) and installed by its own install.sh.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Config, HostEntry } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { csRoot } from './install.ts'
import { shellWord } from './quote.ts'
import { CONNECT_TIMEOUT, sshLine, sshRun } from './ssh.ts'
import { cleanText, isCwd } from './untrusted.ts'
import { git } from './update.ts'
import pkg from '../package.json' with { type: 'json' }
import { outErr } from './stdout.ts'

/** What cs is built with there. */
const NEEDED = ['git', 'node', 'npm']

// What the host has: a line per missing program, and the version of a cs on its PATH.
const PROBE_SCRIPT = [
  `for t in ${NEEDED.join(' ')}; do command -v "$t" >/dev/null 2>&1 || echo "missing $t"; done`,
  'if command -v cs >/dev/null 2>&1; then cs --version 2>/dev/null; fi',
  'exit 0',
].join('\n')

// The bundle on stdin cloned into the host's data folder, then its install.sh (whose output goes
// to stderr, shown as it comes); prints install.sh's exit code and the folder. $1: the origin.
const INSTALL_SCRIPT = [
  'case ${XDG_DATA_HOME-} in /*) d=$XDG_DATA_HOME/cs-checkout ;; *) d=$HOME/.local/share/cs-checkout ;; esac',
  'if [ -e "$d" ]; then printf \'%s\\n\' "$d"; exit 17; fi',
  'mkdir -p "${d%/*}" || exit 1',
  'b=$(mktemp) || exit 1',
  'trap \'rm -f "$b"\' EXIT',
  'cat >"$b" && git clone --quiet "$b" "$d" >&2 || exit 1',
  'if [ -n "$1" ]; then git -C "$d" remote set-url origin "$1"; fi',
  's=0; "$d/install.sh" >&2 || s=$?',
  'printf \'%s\\n%s\\n\' "$s" "$d"',
].join('\n')

/** How long an install may take there: npm ci may compile better-sqlite3. */
const INSTALL_TIMEOUT_MS = 30 * 60_000

export interface Installed {
  /** cs there: the path to record in the hosts list, or null for the cs on its PATH */
  cs: string | null
  version: string
  /** cs was there already: nothing was installed */
  already: boolean
  /** install.sh's own warning (a program cs uses is missing there): it exited non-zero */
  warning: string | null
}

/** This checkout's HEAD (and its branch, so that the clone follows it) as a git bundle. */
function bundle(root: string): { bytes: Buffer; origin: string } {
  try {
    git(root, 'rev-parse', '--git-dir')
  } catch {
    throw new CsError(`this cs (${root}) is not a git checkout: it has nothing to send`, EXIT.unavailable, 'install cs on that host by hand: git clone, then ./install.sh there')
  }
  let branch: string[] = []
  try {
    branch = [git(root, 'symbolic-ref', '-q', 'HEAD')]
  } catch {
    // a detached HEAD travels alone
  }
  let origin = ''
  try {
    origin = git(root, 'remote', 'get-url', 'origin')
  } catch {
    // no origin: the clone there keeps the bundle's, and `cs update` there has nothing to follow
  }
  const dir = mkdtempSync(join(tmpdir(), 'cs-bundle-'))
  try {
    const file = join(dir, 'cs.bundle')
    git(root, 'bundle', 'create', '--quiet', file, 'HEAD', ...branch)
    return { bytes: readFileSync(file), origin }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The version in a `cs --version` line of a host's, cleaned; null when the line is not one. */
const versionIn = (line: string) => cleanText(/^cs (\S{1,40})$/.exec(line)?.[1])

/** The last lines a host wrote on stderr, cleaned, for an error message. */
const lastLines = (stderr: string, n = 2) =>
  stderr
    .split('\n')
    .flatMap((l) => cleanText(l) ?? [])
    .slice(-n)
    .join(' / ')

/** Puts cs on host unless a cs answers on its PATH already; throws a CsError naming the host
 *  and the fix when it cannot (no git, node or npm there, a failed build). */
export async function installOn(config: Config, host: HostEntry): Promise<Installed> {
  const probe = await sshRun(config, host, ['sh', '-c', PROBE_SCRIPT], { connectTimeout: CONNECT_TIMEOUT.act })
  const lines = probe.stdout.split('\n')
  const present = lines.map(versionIn).find(Boolean)
  if (present) return { cs: null, version: present, already: true, warning: null }
  const missing = NEEDED.filter((t) => lines.includes(`missing ${t}`))
  if (missing.length)
    throw new CsError(
      `host ${host.name} has no ${missing.join(', ')}: cs is built there from source`,
      EXIT.unavailable,
      `install ${missing.length > 1 ? 'them' : 'it'} there (Debian: apt-get install git nodejs npm), then: cs hosts add ${host.name} --install`
    )
  const root = csRoot()
  const { bytes, origin } = bundle(root)
  outErr(`installing cs ${pkg.version} on ${host.name} (a clone of ${root}, then its ./install.sh)...\n`)
  const r = await sshRun(config, host, ['sh', '-c', INSTALL_SCRIPT, 'sh', origin], {
    connectTimeout: CONNECT_TIMEOUT.act,
    timeoutMs: INSTALL_TIMEOUT_MS,
    input: bytes,
    echo: true,
  })
  const said = r.stdout.trim().split('\n')
  const there = said.at(-1)
  if (r.status === 17 && isCwd(there))
    throw new CsError(
      `host ${host.name}: ${there} exists already`,
      EXIT.failure,
      `remove it there, or list the cs in it: cs hosts add ${host.name} --cs ${shellWord(join(there, 'bin/cs.mjs'))}`
    )
  const [code, dir] = said.slice(-2)
  if (r.status !== 0 || !isCwd(dir))
    throw new CsError(`host ${host.name}: the clone failed there (${lastLines(r.stderr) || `exit ${r.status}`})`, EXIT.failure, 'fix what it says there, then run this again')
  const cs = join(dir, 'bin/cs.mjs')
  const check = await sshRun(config, host, [cs, '--version'], { connectTimeout: CONNECT_TIMEOUT.act })
  const version = versionIn(check.stdout.trim())
  if (check.status !== 0 || !version)
    throw new CsError(
      `host ${host.name}: cs was cloned to ${dir} but does not run there (./install.sh: ${lastLines(r.stderr) || `exit ${code}`})`,
      EXIT.failure,
      `fix what it says, then: ${sshLine(config, host, `cd ${shellWord(dir)} && ./install.sh`)}; cs hosts add ${host.name} --cs ${shellWord(cs)}`
    )
  return { cs, version, already: false, warning: code === '0' ? null : 'a program cs uses is missing there (see above): cs doctor there names it' }
}
