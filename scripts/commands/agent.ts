// `cs agent [stop] [--host NAME|--all]`: cs's persistent ssh agent, here or on other hosts.
import { agentKeys, startAgent, stopAgent } from '../../lib/agent.ts'
import { defineCommand } from '../../lib/command.ts'
import { usageError } from '../../lib/errors.ts'
import { isSet } from '../../lib/flags.ts'
import { print } from '../../lib/format.ts'
import { targetHosts } from '../../lib/hosts.ts'
import { onHosts } from '../../lib/remote.ts'

export default defineCommand({
  usage: 'agent [stop] [--host NAME | --all] [--json]',
  summary: [
    "cs's ssh agent, one per machine at a fixed socket (~/.ssh/cs-agent.sock): started when absent,",
    'then its keys shown; cs agent stop ends it. cs add-key loads a key into it. cs\'s own ssh calls',
    'use it; a shell uses it with: export SSH_AUTH_SOCK=~/.ssh/cs-agent.sock',
  ].join('\n'),
  details: ['  --host NAME   on host NAME of the hosts list, over ssh', '  --all         on every host of the hosts list'].join('\n'),
  options: { host: { type: 'string' }, all: { type: 'boolean' } },
  async run({ config, positionals, flags }) {
    const [verb, ...more] = positionals
    if (more.length || (verb !== undefined && verb !== 'stop')) throw usageError('agent takes nothing, or stop', 'cs agent, cs agent stop')
    const hosts = targetHosts(config, flags)
    if (hosts.length) return onHosts(config, hosts, verb ? ['agent', verb] : ['agent'])
    if (verb === 'stop') {
      print(stopAgent(config) ? `stopped the agent at ${config.agentSocket}` : 'no agent of cs runs')
      return
    }
    const started = startAgent(config)
    const keys = agentKeys(config) ?? []
    if (isSet(flags, 'json')) return print(JSON.stringify({ socket: config.agentSocket, started, keys }, null, 2))
    print(`agent at ${config.agentSocket} (${started ? 'started' : 'running'}), ${keys.length} key(s)${keys.length ? '' : ': cs add-key loads one'}`)
    for (const k of keys) print(`  ${k}`)
  },
})
