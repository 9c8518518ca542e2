// The one error class. A CsError is a user-facing failure: the top-level catch prints its
// message (no stack) and exits with its code. Anything else is a bug and keeps its stack.

export const EXIT = {
  ok: 0,
  failure: 1, // the command ran and did not get what was asked (not found, refused)
  usage: 2, // bad flags or arguments
  unavailable: 3, // a needed program or service is missing (tmux, claude, fzf, a host)
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** What a failure means to a caller: of the store, `unwritable` (read-only, full disk) leaves
 * what was saved readable, `damaged` calls for a rebuild; `running`: a session to bring back
 * runs already (lib/revive.ts bringBack); `partly-moved`: files of a session could not all be put
 * back where they were, and both places are kept (lib/trash.ts). */
export type Reason = 'unwritable' | 'damaged' | 'running' | 'partly-moved' | 'host-key' | 'not-installed'

export class CsError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    readonly hint?: string,
    readonly reason?: Reason
  ) {
    super(message)
    this.name = 'CsError'
  }
}

export const usageError = (message: string, hint?: string) =>
  new CsError(message, EXIT.usage, hint)

/** fn's value, or null where it fails with a CsError (not found, several found); a bug throws. */
export function attempt<T>(fn: () => T): T | null {
  try {
    return fn()
  } catch (e) {
    if (e instanceof CsError) return null
    throw e
  }
}
