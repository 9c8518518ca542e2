// PLACEHOLDER: replaced by the helper that builds `cs gc`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'gc',
  summary: 'not built yet',
  run() {
    throw new CsError('cs gc: not built yet')
  },
})
