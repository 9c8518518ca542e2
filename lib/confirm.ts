// The y/N question before an irreversible or bulk change, asked only on a terminal, and the one
// reader of a typed answer.
import { createInterface } from 'node:readline/promises'
import { out, stdoutIsTTY } from './stdout.ts'
import { visible } from './untrusted.ts'

export const interactive = () => Boolean(process.stdin.isTTY) && stdoutIsTTY()

/**
 * Writes the question (as it is: the caller makes it visible) and reads one line of stdin; null
 * at the end of input (Ctrl-D), after which the cursor goes to a line of its own. Not read as a
 * terminal: readline would redraw the line with cursor escapes, and the tty echoes what is typed.
 * A bare rl.question never settles when stdin ends: the process would exit 0, as if answered. A
 * last line with no newline (`y`, then Ctrl-D twice) is one: readline hands it over as it closes.
 */
export async function answer(question: string): Promise<string | null> {
  out(question)
  const rl = createInterface({ input: process.stdin, terminal: false })
  try {
    const line = await new Promise<string | null>((resolve) => {
      rl.once('line', resolve)
      rl.once('close', () => resolve(null))
    })
    if (line === null) out('\n')
    return line
  } finally {
    rl.close()
  }
}

/** True only for an explicit yes typed at a terminal. */
export async function confirm(question: string): Promise<boolean> {
  if (!interactive()) return false
  return /^y(es)?$/i.test((await answer(`${visible(question)} [y/N] `))?.trim() ?? '')
}
