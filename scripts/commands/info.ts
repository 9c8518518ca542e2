// PLACEHOLDER: replaced by the helper that builds `cs info`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'info',
  summary: 'not built yet',
  run() {
    throw new CsError('cs info: not built yet')
  },
})
