// PLACEHOLDER: replaced by the helper that builds `cs sync`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'sync',
  summary: 'not built yet',
  run() {
    throw new CsError('cs sync: not built yet')
  },
})
