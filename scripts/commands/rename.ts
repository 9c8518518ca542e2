// PLACEHOLDER: replaced by the helper that builds `cs rename`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'rename',
  summary: 'not built yet',
  run() {
    throw new CsError('cs rename: not built yet')
  },
})
