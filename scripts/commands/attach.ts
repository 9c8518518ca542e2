// PLACEHOLDER: replaced by the helper that builds `cs attach`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'attach',
  summary: 'not built yet',
  run() {
    throw new CsError('cs attach: not built yet')
  },
})
