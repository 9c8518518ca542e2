// PLACEHOLDER: replaced by the helper that builds `cs purge`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'purge',
  summary: 'not built yet',
  run() {
    throw new CsError('cs purge: not built yet')
  },
})
