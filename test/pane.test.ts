import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { stateFromScreen } from '../lib/pane.ts'

const RULE = '─'.repeat(60)
const SCREENS = join(import.meta.dirname, 'fixtures/screens')

test('real 2.1.332 captures: the state is read from the file name', () => {
  const files = readdirSync(SCREENS).filter((f) => f.endsWith('.txt'))
  assert.ok(files.length >= 3)
  for (const f of files) {
    const expected = /waiting|dialog|permission/.test(f) ? 'waiting' : /working|busy|stall/.test(f) ? 'working' : 'idle'
    assert.equal(stateFromScreen(readFileSync(join(SCREENS, f), 'utf8')), expected, f)
  }
})

test('working without "esc to interrupt": spinner, gerund and timer above the box (2.1.x)', () => {
  const screen = ['✳ Simplifying recompute_tangents… (2m 18s · ↓ 4.8k tokens)', '  ⎿  ◻ task list items...', '', RULE, '❯', RULE]
  assert.equal(stateFromScreen(screen.join('\n')), 'working')
})

test('working: the 1.0.x rounded box with the interrupt hint on the spinner line', () => {
  const screen = ['✻ Pouncing… (esc to interrupt)', '', '╭' + '─'.repeat(40) + '╮', '│ > ' + ' '.repeat(37) + '│', '╰' + '─'.repeat(40) + '╯']
  assert.equal(stateFromScreen(screen.join('\n')), 'working')
})

test('working: reduced-motion ● with a timer, but not an answer that starts with ●', () => {
  const busy = ['● Thinking… (3s · ↓ 12 tokens)', '', RULE, '❯ ', RULE]
  assert.equal(stateFromScreen(busy.join('\n')), 'working')
  const answer = ['● Loading the config…', '', RULE, '❯ ', RULE]
  assert.equal(stateFromScreen(answer.join('\n')), 'idle')
})

test('waiting: the 2.1.197 Bash dialog, whose "⎿  Waiting…" is not a spinner', () => {
  const screen = [
    '❯ please runtool',
    '● Bash(touch /path/to/file)',
    '  ⎿  Waiting…',
    RULE,
    ' Bash command',
    '   touch /path/to/file',
    '   Create a file',
    ' Do you want to proceed?',
    ' ❯ 1. Yes',
    '   2. Yes, and always allow access to <dir>/ from this project',
    '   3. No',
    ' Esc to cancel · Tab to amend · ctrl+e to explain',
  ]
  assert.equal(stateFromScreen(screen.join('\n')), 'waiting')
})

test('waiting: an edit dialog and the auto-mode safety dialog', () => {
  const edit = ['● Update(src/a.ts)', RULE, ' Do you want to make this edit to a.ts?', ' ❯ 1. Yes', '   2. No']
  assert.equal(stateFromScreen(edit.join('\n')), 'waiting')
  const auto = [RULE, "  Auto mode can't check actions in this session", '  …', '  Enter to stay in auto mode · Esc to cancel']
  assert.equal(stateFromScreen(auto.join('\n')), 'waiting')
})

test('idle: a finished turn, and a background shell still running under auto mode', () => {
  const done = ['Some output', '✻ Cooked for 43s', RULE, '❯ ']
  assert.equal(stateFromScreen(done.join('\n')), 'idle')
  const shell = [
    '✻ Sautéed for 10s · 1 shell still running',
    '',
    '─'.repeat(50) + ' WINDOWS ─',
    '❯',
    RULE,
    '  ⏵⏵ auto mode on · 1 shell · ← for agents                     /rc',
  ]
  assert.equal(stateFromScreen(shell.join('\n')), 'idle')
})

test('idle: mode footers alone are not states', () => {
  for (const footer of ['  ⏵⏵ bypass permissions on (shift+tab to cycle)', '  ⏵⏵ auto mode on (shift+tab to cycle) · ← for agents']) {
    assert.equal(stateFromScreen(['● Done.', '', RULE, '❯ ', RULE, footer].join('\n')), 'idle', footer)
  }
})

test('idle: quoted prose with a dialog question or the interrupt hint above an empty prompt', () => {
  const screen = [
    '● The dialog reads "Do you want to proceed?" and the footer says esc to interrupt.',
    '  ❯ 1. Yes',
    '✻ Worked for 2s',
    RULE,
    '❯\u00a0',
    RULE,
    '  ? for shortcuts',
  ]
  assert.equal(stateFromScreen(screen.join('\n')), 'idle')
})

test('a typed prompt in the box is still idle; unknown screens are null', () => {
  assert.equal(stateFromScreen([RULE, '❯ half a question', RULE].join('\n')), 'idle')
  assert.equal(stateFromScreen('$ ls\nfile-a  file-b\n$ '), null)
  assert.equal(stateFromScreen(''), null)
})
