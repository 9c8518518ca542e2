// `cs agent [stop] [--host NAME|--all]`: cs's persistent ssh agent, here or on other hosts.
import { agentKeys, startAgent, stopAgent } from '../../lib/agent.ts'
import { defineCommand } from '../../lib/command.ts'
import { CsError, EXIT, usageError } from '../../lib/errors.ts'
import { isSet, JSON_OPTION, TARGET_HOSTS_HELP, TARGET_HOSTS_OPTIONS } from '../../lib/flags.ts'
import { plural, print } from '../../lib/format.ts'
import { targetHosts } from '../../lib/hosts.ts'
import { askRemote, onHosts, runRemote } from '../../lib/remote.ts'
import { jsonText } from '../../lib/untrusted.ts'

export default defineCommand({
  usage: 'agent [stop] [--host NAME | --all] [--json]',
  summary: [
    "cs's ssh agent, one per machine at a fixed socket (~/.ssh/cs-agent.sock): started when absent,",
    'then its keys shown; cs agent stop ends it. cs add-key loads a key into it. cs\'s own ssh calls',
    'use it; a shell uses it with: export SSH_AUTH_SOCK=~/.ssh/cs-agent.sock',
  ].join('\n'),
  details: TARGET_HOSTS_HELP,
  options: { ...JSON_OPTION, ...TARGET_HOSTS_OPTIONS },
  async run({ config, positionals, flags }) {
    const [verb, ...more] = positionals
    if (more.length || (verb !== undefined && verb !== 'stop')) throw usageError('agent takes nothing, or stop', 'cs agent, cs agent stop')
    const { here, others } = targetHosts(config, flags)
    const args = verb ? ['agent', verb] : ['agent']
    // stopped there before here, started here first: cs's ssh to them may need this agent's keys
    const hereFirst = verb !== 'stop'
    const local = () => {
      if (verb === 'stop') return { socket: config.agentSocket, stopped: stopAgent(config) }
      const started = startAgent(config)
      return { socket: config.agentSocket, started, keys: agentKeys(config) ?? [] }
    }
    if (isSet(flags, 'json')) {
      if (!isSet(flags, 'all')) return print(jsonText(here ? local() : await askRemote(config, others[0], args)))
      // one array: every host's answer, or why it has none
      const codes: number[] = []
      const mine = () => ({ host: config.host, answer: local() })
      const theirs = () =>
        Promise.all(
          others.map((h) =>
            askRemote(config, h, args).then(
              (answer) => ({ host: h.name, answer }),
              (e: unknown) => {
                if (!(e instanceof CsError)) throw e // a bug keeps its stack
                codes.push(e.exitCode)
                return { host: h.name, error: e.message }
              }
            )
          )
        )
      const all = hereFirst ? [mine(), ...(await theirs())] : [...(await theirs()), mine()]
      print(jsonText(all))
      // as without --json (onHosts): the worst of the hosts' codes, 3 for one that does not answer
      return Math.max(EXIT.ok, ...codes)
    }
    const showHere = () => {
      if (!here) return
      if (others.length) print(`${config.host}:`)
      const a = local()
      if ('stopped' in a) return print(a.stopped ? `stopped the agent at ${a.socket}` : 'no agent of cs runs')
      print(`agent at ${a.socket} (${a.started ? 'started' : 'running'}), ${plural(a.keys.length, 'key')}${a.keys.length ? '' : ': cs add-key loads one'}`)
      for (const k of a.keys) print(`  ${k}`)
    }
    if (hereFirst) showHere()
    const code = await onHosts(others, (h) => runRemote(config, h, args, false))
    if (!hereFirst) showHere()
    return code
  },
})
