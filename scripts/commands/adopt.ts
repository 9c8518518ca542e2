// PLACEHOLDER: replaced by the helper that builds `cs adopt`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'adopt',
  summary: 'not built yet',
  run() {
    throw new CsError('cs adopt: not built yet')
  },
})
