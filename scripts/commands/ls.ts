// PLACEHOLDER: replaced by the helper that builds `cs ls`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'ls',
  summary: 'not built yet',
  run() {
    throw new CsError('cs ls: not built yet')
  },
})
