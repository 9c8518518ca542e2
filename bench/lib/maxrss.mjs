// Preloaded with `node --import` into a process the bench measures: writes the process's peak
// resident set size (bytes) to $CS_BENCH_RSS_FILE when it exits. On Linux, VmHWM of
// /proc/self/status: the peak of this program's own memory. getrusage's maxRSS is kept across
// exec, so a child forked from the bench (whose own resident set holds corpora, hundreds of MB)
// reported the bench's peak as its own: 251-257 MB for a cold index that peaks near 60 MB.
import { readFileSync, writeFileSync } from 'node:fs'

const file = process.env.CS_BENCH_RSS_FILE
/** kB */
function peak() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (hwm) return Number(hwm[1])
  } catch {}
  return process.resourceUsage().maxRSS // elsewhere: may count the parent's before exec
}
if (file) process.on('exit', () => writeFileSync(file, String(peak() * 1024)))
