// PLACEHOLDER: replaced by the helper that builds `cs list`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'list',
  summary: 'not built yet',
  run() {
    throw new CsError('cs list: not built yet')
  },
})
