// PLACEHOLDER: replaced by the helper that builds `cs kill`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'kill',
  summary: 'not built yet',
  run() {
    throw new CsError('cs kill: not built yet')
  },
})
