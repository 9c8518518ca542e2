// PLACEHOLDER: replaced by the helper that builds `cs rm`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'rm',
  summary: 'not built yet',
  run() {
    throw new CsError('cs rm: not built yet')
  },
})
