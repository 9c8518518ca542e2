// Prints what lib/transcript.ts reads of the file named by its argument, as the first read of a
// process: its first records through JSON.parse (test/transcript-first-read.test.ts).
import { readFileSync } from 'node:fs'
import { feed, finish, newParser } from '../../lib/transcript.ts'

const path = process.argv[2]
const p = newParser()
feed(p, readFileSync(path))
process.stdout.write(JSON.stringify(finish(p, { id: 'x', path, projectDir: 'p' })))
