// `cs config`: the effective settings, secrets masked; `set KEY VALUE` and `unset KEY` edit the
// config file, which is created (and kept) readable by its owner alone.
import { resolve } from 'node:path'
import { defineCommand } from '../../lib/command.ts'
import { CONFIG_KEYS, checkConfigFile, effectiveSettings, maskUrl, readConfigFile, withConfigKey, writeConfigFile, type ConfigKey } from '../../lib/config.ts'
import { CsError, usageError } from '../../lib/errors.ts'
import { fileSettingError } from '../../lib/regular-file.ts'
import { isSet, JSON_OPTION } from '../../lib/flags.ts'
import { print } from '../../lib/format.ts'
import { cleanText, jsonText, quoted } from '../../lib/untrusted.ts'

const KEYS = Object.keys(CONFIG_KEYS) as ConfigKey[]

const shown = (key: string, value: unknown) =>
  value === undefined || value === null ? '(unset)' : key === 'mongo.url' ? maskUrl(String(value)) : cleanText(typeof value === 'string' ? value : JSON.stringify(value))

export default defineCommand({
  usage: 'config [--json] | config set KEY VALUE | config unset KEY',
  summary: 'Show the effective settings (passwords masked), or set and unset keys of the config file.',
  details: [
    `  KEY             one of ${KEYS.join(', ')}`,
    '                  (hosts: edit the file; CS_MONGO_URL in the environment wins over mongo.url)',
    '  --json          the settings as JSON',
  ].join('\n'),
  options: JSON_OPTION,
  run({ config, positionals, flags }) {
    const [verb, key, value, ...extra] = positionals
    if (!verb) {
      const settings = effectiveSettings(config)
      if (isSet(flags, 'json')) return print(jsonText(settings))
      const width = Math.max(...Object.keys(settings).map((k) => k.length))
      for (const [k, v] of Object.entries(settings)) print(`${k.padEnd(width)}  ${shown(k, v)}`)
      return
    }
    if (verb !== 'set' && verb !== 'unset') throw usageError(`unknown config action '${verb}'`, 'cs config set KEY VALUE, or cs config unset KEY')
    if (isSet(flags, 'json')) throw usageError(`--json goes with the listing, not config ${verb}`, 'cs config --json')
    if (!KEYS.includes(key as ConfigKey)) throw usageError(`unknown key '${key ?? ''}'`, `keys: ${KEYS.join(', ')}`)
    if (verb === 'set' ? value === undefined || extra.length : value !== undefined)
      throw usageError(verb === 'set' ? 'config set wants KEY VALUE' : 'config unset wants KEY alone')
    if (verb === 'set' && value === '') throw usageError(`an empty ${key}`, `to drop it: cs config unset ${key}`)
    const file = config.configFile
    // a path is kept as it was meant where it was typed: cs runs from any folder
    const given = verb === 'set' && CONFIG_KEYS[key as ConfigKey] === 'path' ? resolve(value) : value
    const notFile = verb === 'set' && CONFIG_KEYS[key as ConfigKey] === 'path' ? fileSettingError(key, given) : null
    if (notFile) throw usageError(notFile.message, `give a file: cs config set ${key} FILE`)
    const changed = withConfigKey(readConfigFile(file), key as ConfigKey, verb === 'set' ? given : undefined)
    let next
    try {
      next = checkConfigFile(changed, file) // the file as it was passed the check: this is the value's
    } catch (e) {
      if (!(e instanceof CsError)) throw e
      throw usageError(`${e.message.slice(file.length + 2)}, not ${quoted(value)}`, 'the README\'s Configuration lists the keys and their values')
    }
    writeConfigFile(file, next)
    print(verb === 'set' ? `${key} = ${shown(key, key === 'mongo.url' ? value : (next as any)[key.split('.')[0]]?.[key.split('.')[1]])}` : `${key} unset`)
  },
})
