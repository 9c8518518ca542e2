// PLACEHOLDER: replaced by the helper that builds `cs revive`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'revive',
  summary: 'not built yet',
  run() {
    throw new CsError('cs revive: not built yet')
  },
})
