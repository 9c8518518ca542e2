// PLACEHOLDER: replaced by the helper that builds `cs prune`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'prune',
  summary: 'not built yet',
  run() {
    throw new CsError('cs prune: not built yet')
  },
})
