// An isolated home for the real Claude Code client: onboarding done, the dummy key approved,
// the given folders trusted, and every request sent to a loopback fake API.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, realpathSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ensureBundle } from './bundle.ts'

export const REPO = resolve(import.meta.dirname, '../..')
export const CLAUDE_VERSION = '2.1.332'
/** A dummy key: the client only ever sends it to the fake. */
export const API_KEY = 'sk-ant-api03-cs-harness-dummy-key-0123456789abcdefghij'

export interface ClaudeEnv {
  home: string
  /** $CLAUDE_CONFIG_DIR: HOME/.claude */
  configDir: string
  /** the client's global config file (onboarding, key approval, trusted folders) */
  configFile: string
  /** environment for `claude` */
  env: Record<string, string>
  /** environment for `cs` against the same HOME, tmux socket and host */
  csEnv: Record<string, string>
  /** a new folder under HOME, trusted by the client */
  project(name: string): string
  trust(dir: string): void
  cleanup(): void
}

/** Variables a parent Claude session sets that would make the client a nested, transcript-less child. */
const NESTED = ['CLAUDECODE', 'CLAUDE_CODE_SESSION_ID', 'CLAUDE_CODE_CHILD_SESSION', 'CLAUDE_CODE_ENTRYPOINT']

export function makeClaudeEnv(opts: { apiUrl: string; socket: string; host?: string }): ClaudeEnv {
  ensureBundle() // cs runs from dist/, as users run it
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'cs-claude-')))
  const configDir = join(home, '.claude')
  mkdirSync(configDir, { recursive: true })
  const configFile = join(configDir, '.claude.json')
  const config = {
    hasCompletedOnboarding: true,
    lastOnboardingVersion: CLAUDE_VERSION,
    theme: 'dark',
    customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
    projects: {} as Record<string, object>,
  }
  const save = () => writeFileSync(configFile, JSON.stringify(config, null, 2))
  const trust = (dir: string) => {
    config.projects[dir] = {
      hasTrustDialogAccepted: true,
      hasCompletedProjectOnboarding: true,
      allowedTools: [],
    }
    save()
  }
  save()

  const base: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !NESTED.includes(k)) base[k] = v
  delete base.TMUX
  delete base.TMUX_PANE
  const env: Record<string, string> = {
    ...base,
    HOME: home,
    CLAUDE_CONFIG_DIR: configDir,
    ANTHROPIC_BASE_URL: opts.apiUrl,
    ANTHROPIC_API_KEY: API_KEY,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    // else the client tries to git-clone Anthropic's plugin marketplace at start
    CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
    TERM: 'xterm-256color',
    PATH: `${join(REPO, 'node_modules/.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    LANG: 'C.UTF-8',
  }
  const csEnv: Record<string, string> = {
    ...env,
    XDG_STATE_HOME: join(home, '.local/state'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    CS_HOST: opts.host ?? 'testhost',
    CS_TMUX_SOCKET: opts.socket,
  }
  return {
    home,
    configDir,
    configFile,
    env,
    csEnv,
    trust,
    project(name) {
      const dir = join(home, name)
      mkdirSync(dir, { recursive: true })
      trust(dir)
      return dir
    },
    cleanup: () => removeWhileDying(home),
  }
}


/** A client killed with its tmux server goes on writing into HOME for a while as it dies. */
function removeWhileDying(dir: string, seconds = 20): void {
  for (let waited = 0; ; waited += 0.5) {
    try {
      return rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || waited >= seconds) throw e
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500)
    }
  }
}
