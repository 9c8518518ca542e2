// The programs cs needs, the versions it wants and the package that brings each, checked the
// same way by `cs install` and `cs doctor`. The programs run through zx (argument arrays, a
// time limit, never a throw for a missing program).
import { dirname, join } from 'node:path'
import { $ } from 'zx/core'
import pkg from '../package.json' with { type: 'json' }
import type { Config } from './config.ts'
import type { Check, Level } from './doctor.ts'
import { INSTALL } from './install-hints.ts'
import { findOnPath } from './paths.ts'

export type Version = [major: number, minor: number]

/** The Node.js versions cs supports, from package.json's engines (">=20.19"). */
const NODE_MIN: Version = parseVersion(pkg.engines.node) ?? [20, 19]

interface Program {
  /** what the check is called and the binary looked up on PATH */
  name: string
  bin: (config: Config) => string
  min?: Version
  /** what is lost without it, and what without the minimum version */
  missing: Level
  why: string
  old?: string
  /** the fix, naming the exact package */
  install: string
}

// prettier-ignore
const PROGRAMS: Program[] = [
  { name: 'tmux', bin: () => 'tmux', min: [3, 2], missing: 'fail', why: 'cs keeps live sessions in tmux',
    old: 'the picker opens in a split instead of a popup', install: INSTALL.tmux },
  { name: 'claude', bin: (c) => c.claudeBin, missing: 'fail', why: 'cs launches it',
    install: INSTALL.claude },
  { name: 'fzf', bin: () => 'fzf', min: [0, 38], missing: 'warn', why: 'the picker and `cs resume` fall back to a numbered list',
    old: "the picker's keys need become(), new in 0.38", install: INSTALL.fzf },
  { name: 'git', bin: () => 'git', missing: 'warn', why: 'TPM and updates (git pull) need it', install: INSTALL.git },
]

/** The first "N.N" in a version text ("tmux 3.3a", "2.1.332 (Claude Code)", ">=20.19"). */
function parseVersion(text: string): Version | null {
  const m = /(\d+)\.(\d+)/.exec(text)
  return m ? [Number(m[1]), Number(m[2])] : null
}

const atLeast = (v: Version, min: Version) => v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1])

/** The first line `PROGRAM --version` (tmux: -V) prints, or null when it does not answer. */
async function versionText(path: string, flag = '--version'): Promise<string | null> {
  const r = await $({ nothrow: true, quiet: true, timeout: '10s', stdio: ['ignore', 'pipe', 'pipe'] })`${path} ${flag}`
  const line = r.stdout.split('\n')[0].trim()
  return r.exitCode === 0 && line ? line : null
}

export function nodeCheck(): Check {
  const v = parseVersion(process.versions.node)!
  const ok = atLeast(v, NODE_MIN)
  return {
    level: ok ? 'ok' : 'fail',
    what: 'node',
    detail: `${process.versions.node} (${process.execPath}), needs ${NODE_MIN.join('.')} or later`,
    ...(ok ? {} : { fix: `install Node.js ${NODE_MIN.join('.')} or later (Debian 13: apt-get install nodejs; else https://nodejs.org)` }),
  }
}

/** One check a program: found where, which version, and the fix when it is missing or old. */
export async function programChecks(config: Config): Promise<Check[]> {
  return Promise.all(
    PROGRAMS.map(async (p): Promise<Check> => {
      const bin = p.bin(config)
      const what = p.name === 'claude' ? bin : p.name
      const path = findOnPath(config, bin)
      if (!path) {
        const elsewhere = p.name === 'claude' ? claudeElsewhere(config) : null
        const fix = elsewhere
          ? `it is at ${elsewhere}: add ${dirname(elsewhere)} to PATH, or set CS_CLAUDE=${elsewhere}`
          : p.install
        return { level: p.missing, what, detail: `not found on PATH: ${p.why}`, fix }
      }
      const text = await versionText(path, p.name === 'tmux' ? '-V' : '--version')
      const version = text && parseVersion(text)
      const found = `${path}${text ? `, ${text}` : ', does not say its version'}`
      if (p.min && version && !atLeast(version, p.min))
        return { level: 'warn', what, detail: `${found}; ${p.min.join('.')}+ wanted: ${p.old}`, fix: p.install }
      return { level: 'ok', what, detail: p.min ? `${found} (${p.min.join('.')}+ wanted)` : found }
    })
  )
}

/** Where Claude Code's installers put claude when it is not on PATH: the native installer,
 *  the old local install, a user npm prefix. */
function claudeElsewhere(config: Config): string | null {
  const spots = ['.local/bin/claude', '.claude/local/claude', '.npm-global/bin/claude']
  for (const spot of spots) {
    const found = findOnPath(config, join(config.home, spot))
    if (found) return found
  }
  return null
}
