// PLACEHOLDER: replaced by the helper that builds `cs last`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'last',
  summary: 'not built yet',
  run() {
    throw new CsError('cs last: not built yet')
  },
})
