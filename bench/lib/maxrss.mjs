// Preloaded with `node --import` into a process the bench measures: writes the process's peak
// resident set size (bytes) to $CS_BENCH_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs'

const file = process.env.CS_BENCH_RSS_FILE
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)))
