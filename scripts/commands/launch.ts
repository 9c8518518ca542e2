// PLACEHOLDER: replaced by the helper that builds `cs launch`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'launch',
  summary: 'not built yet',
  run() {
    throw new CsError('cs launch: not built yet')
  },
})
