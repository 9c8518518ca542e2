// The one error class. A CsError is a user-facing failure: the top-level catch prints its
// message (no stack) and exits with its code. Anything else is a bug and keeps its stack.

export const EXIT = {
  ok: 0,
  failure: 1, // the command ran and did not get what was asked (not found, refused)
  usage: 2, // bad flags or arguments
  unavailable: 3, // a needed program or service is missing (tmux, claude, fzf, a host)
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export class CsError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    readonly hint?: string
  ) {
    super(message)
    this.name = 'CsError'
  }
}

export const usageError = (message: string, hint?: string) =>
  new CsError(message, EXIT.usage, hint)
