// PLACEHOLDER: replaced by the helper that builds `cs tag`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'tag',
  summary: 'not built yet',
  run() {
    throw new CsError('cs tag: not built yet')
  },
})
