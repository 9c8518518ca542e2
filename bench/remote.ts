// Issue 8: acting on and listing other hosts over ssh, against a real sshd on loopback standing
// for host B (its own HOME, state, tmux socket and CS_HOST) and a stopped one for host C.
// - Remote attach: from `cs attach NAME --host hostb` (A's terminal, outside tmux) to B's pane's
//   first screen in A's terminal, against `ssh -t hostb tmux attach -t NAME` typed by hand, both
//   over the shared connection: `cs` as users run it (bin/cs, through hostb's launcher), and the
//   Node CLI that runs when the launchers are out of date; for scale, a bare `node -e 0` before
//   that same ssh: what any command written for Node pays before its ssh starts.
// - No-database dashboard with 3 hosts (A, B answering, C stopped), and with B alone: `cs ls`
//   against `cs ls --local` with the same hosts list (no host asked), on the same store: with
//   another config.json, one that lists no host, each run would drop what the other kept.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { shellLine } from '../lib/quote.ts'
import { sshArgv } from '../lib/ssh.ts'
import { loadConfig } from '../lib/config.ts'
import { closeMasters, startSshHost } from '../test/harness/sshd.ts'
import { TestTmux } from '../test/harness/tmux.ts'
import { csBin, csCommand, ensureBundle, sandbox } from './lib/cli.ts'
import { corpus } from './lib/corpus.ts'
import { interleave, median, nowMs, run, timeOnce, type BenchOptions, type Row } from './lib/measure.ts'

const MARK = 'cs-bench-first-screen'

export default async function bench({ quick }: BenchOptions): Promise<Row[]> {
  ensureBundle()
  const sessions = quick ? 300 : 2000
  const ca = await corpus({ sessions, totalBytes: sessions * 20_000, bigFiles: 0 })
  const cb = await corpus({ sessions: sessions + 1, totalBytes: (sessions + 1) * 20_000, bigFiles: 0 })
  const a = sandbox(ca.claudeDir)
  const b = sandbox(cb.claudeDir)
  const envA = a.env({ CS_HOST: 'hosta' })
  const envB = b.env({ CS_HOST: 'hostb', CS_TMUX_SOCKET: `cs-bench-remote-b-${process.pid}` })
  const hostB = await startSshHost('hostb', envB)
  const hostC = await startSshHost('hostc', b.env({ CS_HOST: 'hostc' }))
  hostC.stop() // host C: listed, not answering
  const sshConfig = join(a.dir, 'ssh_config')
  writeFileSync(sshConfig, readFileSync(hostB.sshConfig, 'utf8') + readFileSync(hostC.sshConfig, 'utf8'))
  const configDir = join(envA.XDG_CONFIG_HOME, 'cs')
  mkdirSync(configDir, { recursive: true })
  const hosts = [
    { name: 'hostb', ssh: 'hostb', cs: csCommand },
    { name: 'hostc', ssh: 'hostc', cs: csCommand },
  ]
  const withHosts = join(a.dir, 'with-hosts')
  mkdirSync(join(withHosts, 'cs'), { recursive: true })
  writeFileSync(join(withHosts, 'cs/config.json'), JSON.stringify({ ssh: { config: sshConfig }, hosts }), { mode: 0o600 })
  const withB = join(a.dir, 'with-b')
  mkdirSync(join(withB, 'cs'), { recursive: true })
  writeFileSync(join(withB, 'cs/config.json'), JSON.stringify({ ssh: { config: sshConfig }, hosts: [hosts[0]] }), { mode: 0o600 })
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ ssh: { config: sshConfig } }), { mode: 0o600 })
  const envHosts = { ...envA, XDG_CONFIG_HOME: withHosts }
  const bTmux = new TestTmux('bench-remote-b', envB, envB.CS_TMUX_SOCKET)
  const terminal = new TestTmux('bench-remote-a', { ...envHosts, TERM: 'xterm-256color' })
  const controlDir = join(envA.XDG_STATE_HOME, 'cs/ssh')
  try {
    const cs = (env: Record<string, string>, ...args: string[]) => run([csCommand, ...args], { env })
    run([csCommand, 'sync'], { env: envB })
    cs(envA, 'sync')
    const runs = quick ? 3 : 15
    const [hostsMs, aloneMs] = await interleave(runs, () => cs(envHosts, 'ls'), () => cs(envHosts, 'ls', '--local'))
    const envB1 = { ...envA, XDG_CONFIG_HOME: withB }
    const [bMs, bAloneMs] = await interleave(runs, () => cs(envB1, 'ls'), () => cs(envB1, 'ls', '--local'))
    // one round trip over the shared connection, for scale
    const config = { ...loadConfig(envA), sshConfig }
    const trueArgv = sshArgv(config, hosts[0], ['true'])
    const rttTimes: number[] = []
    for (let i = 0; i < runs; i++) rttTimes.push(await timeOnce(() => run(trueArgv)))
    const rtt = median(rttTimes)

    // remote attach: B's pane prints a mark; A's terminal runs the command; time to the mark
    bTmux.run('new-session', '-d', '-s', 'target', '-x', '120', '-y', '30', `printf '${MARK}\\n'; exec sleep 100000`)
    const byHand = sshArgv(config, hosts[0], ['tmux', '-L', envB.CS_TMUX_SOCKET, 'attach', '-t', '=target'], { tty: true })
    let n = 0
    const firstScreen = (argv: string[]) => async () => {
      const name = `t${++n}`
      const start = nowMs()
      terminal.newSession(name, a.dir, ['env', '-u', 'TMUX', ...argv])
      for (;;) {
        const shown = terminal.try('capture-pane', '-p', '-t', `=${name}:`).stdout
        if (shown.includes(MARK)) break
        if (nowMs() - start > 30_000) throw new Error(`bench remote: no first screen in ${name}:\n${shown}`)
        spawnSync('sleep', ['0.005'])
      }
      const took = nowMs() - start
      terminal.try('kill-session', '-t', `=${name}`)
      bTmux.try('detach-client', '-a', '-s', 'none')
      return took
    }
    const attachCs = firstScreen([csCommand, 'attach', 'target', '--host', 'hostb'])
    // the Node CLI itself: what `cs` runs while config.json is newer than the launchers
    const attachCli = firstScreen([process.execPath, csBin, 'attach', 'target', '--host', 'hostb'])
    const attachHand = firstScreen(byHand)
    const attachNode = firstScreen(['sh', '-c', `${shellLine([process.execPath, '-e', '0'])} && exec ${shellLine(byHand)}`])
    await attachHand() // warm: the shared connection is up
    await attachCli() // writes the launchers, as any attach through Node does
    if (!existsSync(join(envA.XDG_STATE_HOME, 'cs/attach/hostb.sh'))) throw new Error('bench remote: no launcher written for hostb')
    const csTimes: number[] = []
    const cliTimes: number[] = []
    const handTimes: number[] = []
    const nodeTimes: number[] = []
    for (let i = 0; i < runs; i++) {
      csTimes.push(await attachCs())
      cliTimes.push(await attachCli())
      handTimes.push(await attachHand())
      nodeTimes.push(await attachNode())
    }
    const csAttach = median(csTimes)
    const cliAttach = median(cliTimes)
    const hand = median(handTimes)
    const nodeFloor = median(nodeTimes)
    const added = hostsMs - aloneMs
    return [
      {
        name: 'remote attach: command to the remote first screen',
        value: csAttach,
        unit: 'ms',
        baseline: hand,
        ratio: csAttach / hand,
        goal: '<= 1.2x baseline',
        met: csAttach / hand <= 1.2,
        note: "`cs attach target --host hostb`; baseline: ssh -t hostb tmux attach -t NAME by hand, same shared connection; bin/cs starts ssh through hostb's launcher (written by the previous Node attach), no Node; B's shell attaches",
      },
      {
        name: 'remote attach through the Node CLI (config.json newer than the launchers)',
        value: cliAttach,
        unit: 'ms',
        baseline: hand,
        ratio: cliAttach / hand,
        note: 'node dist/cs.cjs attach target --host hostb: what cs runs once after config.json changed by hand (cs hosts add/rm write the launchers themselves)',
      },
      {
        name: 'remote attach floor: node -e 0, then the same ssh by hand',
        value: nodeFloor,
        unit: 'ms',
        baseline: hand,
        ratio: nodeFloor / hand,
        note: "what a command run by Node costs before any code of its own: cs's own part is the rest",
      },
      {
        name: `dashboard, 3 hosts (B answers, C stopped), ${sessions} sessions each`,
        value: hostsMs,
        unit: 'ms',
        baseline: aloneMs,
        ratio: hostsMs / aloneMs,
        goal: '<= baseline + 1500 ms',
        met: added <= 1500,
        note: `baseline: cs ls --local, no host asked; adds ${Math.round(added)} ms (B's own cs ls over ssh runs beside A's)`,
      },
      {
        name: `dashboard, host B answering, ${sessions} sessions each`,
        value: bMs,
        unit: 'ms',
        baseline: bAloneMs,
        ratio: bMs / bAloneMs,
        goal: '<= baseline + one round trip',
        met: bMs - bAloneMs <= rtt,
        note: `baseline: cs ls --local, no host asked; adds ${Math.round(bMs - bAloneMs)} ms, one round trip ${rtt.toFixed(1)} ms: B's own cs ls --json --local --all, a Node process that bin/cs asks for before A's Node starts, run beside A's on the same 2 cores; A reads only what changed in its answer`,
      },
      { name: 'one round trip over the shared connection (ssh hostb true)', value: rtt, unit: 'ms' },
    ]
  } finally {
    terminal.cleanup()
    bTmux.cleanup()
    closeMasters(controlDir)
    hostB.cleanup()
    hostC.cleanup()
    a.remove()
    b.remove()
  }
}
