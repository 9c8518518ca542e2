// PLACEHOLDER: replaced by the helper that builds `cs deleted`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'deleted',
  summary: 'not built yet',
  run() {
    throw new CsError('cs deleted: not built yet')
  },
})
