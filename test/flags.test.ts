// lib/flags.ts plainFlags: the command lines it reads without parseArgs read as parseArgs reads
// them, for every command's flags; the rest left to parseArgs.
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { test } from 'node:test'
import { commonOptions, type Command } from '../lib/command.ts'
import { plainFlags } from '../lib/flags.ts'

const dir = new URL('../scripts/commands/', import.meta.url)
const commands = await Promise.all(
  readdirSync(dir).map(async (f) => [f, ((await import(new URL(f, dir).href)) as { default: Command }).default] as const)
)

test('plainFlags: what parseArgs gives, or null, for every command', () => {
  let read = 0
  for (const [file, command] of commands) {
    const options = { ...commonOptions, ...command.options }
    const names = Object.keys(options)
    const lines: string[][] = [[], ['--'], ['-h'], ['--help', '--help'], ['x'], ['--nope'], ['--constructor'], ['--__proto__']]
    for (const a of names) {
      lines.push([`--${a}`], [`--${a}=1`], [`--${a}`, 'v'], [`--${a}`, '--'])
      for (const b of names) if (b !== a) lines.push([`--${a}`, `--${b}`])
    }
    for (const args of lines) {
      const mine = plainFlags(args, options)
      if (mine === null) continue
      read++
      const theirs = parseArgs({ args, options, allowPositionals: true, strict: true })
      assert.deepEqual(mine, { values: theirs.values, positionals: theirs.positionals }, `${file}: ${args.join(' ')}`)
    }
  }
  assert.ok(plainFlags([], commonOptions), 'no argument')
  assert.ok(read > 100, `${read} command lines read`)
})
