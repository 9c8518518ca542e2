// PLACEHOLDER: replaced by the helper that builds `cs doctor`.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'

export default defineCommand({
  usage: 'doctor',
  summary: 'not built yet',
  run() {
    throw new CsError('cs doctor: not built yet')
  },
})
