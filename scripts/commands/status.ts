// PLACEHOLDER: replaced by the helper that builds `cs status`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'status',
  summary: 'not built yet',
  run() {
    throw new CsError('cs status: not built yet')
  },
})
