// PLACEHOLDER: replaced by the helper that builds `cs resume`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'resume',
  summary: 'not built yet',
  run() {
    throw new CsError('cs resume: not built yet')
  },
})
