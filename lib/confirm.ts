// The y/N question before an irreversible or bulk change, asked only on a terminal.
import { createInterface } from 'node:readline/promises'
import { stdoutIsTTY } from './stdout.ts'
import { visible } from './untrusted.ts'

export const interactive = () => Boolean(process.stdin.isTTY) && stdoutIsTTY()

/** True only for an explicit yes typed at a terminal. */
export async function confirm(question: string): Promise<boolean> {
  if (!interactive()) return false
  // not as a terminal: readline would redraw the line with cursor escapes; the tty echoes a y
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: false })
  try {
    return /^y(es)?$/i.test((await rl.question(`${visible(question)} [y/N] `)).trim())
  } finally {
    rl.close()
  }
}
