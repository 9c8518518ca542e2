// What each fix that says to install a program names: the exact package, in one place (cs
// doctor's checks, and the errors of a command that finds one missing). No imports: the hot
// path's modules (lib/tmux.ts) read it.

/** How to install each program cs runs, naming the exact package: every fix that says so reads it here. */
export const INSTALL = {
  tmux: 'apt-get install tmux',
  claude: 'npm install -g @anthropic-ai/claude-code (or see https://docs.claude.com/en/docs/claude-code/setup), or set CS_CLAUDE to its path',
  fzf: 'apt-get install fzf',
  git: 'apt-get install git',
  ssh: 'apt-get install openssh-client',
  cron: 'apt-get install cron',
} as const
