// PLACEHOLDER: replaced by the helper that builds `cs preview`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'preview',
  summary: 'not built yet',
  run() {
    throw new CsError('cs preview: not built yet')
  },
})
