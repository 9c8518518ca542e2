// What a Claude pane's screen says about its state: the last fallback, for clients that neither
// run hooks nor keep a registry. Every pattern of Claude's screens lives here (format reference
// §9; tested on real captures in test/fixtures/screens/). Its characters are written as \u escapes:
// an ASCII bundle is read by Node as one-byte text (scripts/build.mjs checks it stays so).
export type ScreenState = 'working' | 'waiting' | 'idle'

/** A rule of the input box: `────`, a named session's `──── name ──`, or 1.0.x's `╭───╮`. */
const RULE = /^\s*(\u2500{3,}|\u256d\u2500{3,})/ // ─ ╭
/** The input line: `❯ ` (a plain space or NBSP), or 1.0.x's `│ > `. Not a menu's `❯ 1.`. */
const INPUT = /^(\u276f(?![ \u00a0]*\d+\.)|\u2502 >)/ // ❯ │
/** A dialog's question (permission, edit, trust, auto mode's safety check). */
const QUESTION =
  /(Do you want to (proceed|make this edit|create|allow|run)|Would you like to|Do you trust the files|Auto mode can't check actions|wants to (use|access|run))/
/** How a dialog is answered: its highlighted choice `❯ 1. Yes`, or a key hint (auto mode's
 * safety dialog has no menu: "Enter to stay in auto mode · … · Esc to cancel"). */
const ANSWER = /^\s*\u276f[ \u00a0]*\d+\.\s|\bEsc to cancel\b/ // ❯
/** The busy line: a spinner frame at column 0, a verb and an ellipsis, maybe `(2m 18s · ↓ 4.8k
 * tokens)` or `(esc to interrupt)`. `⎿  Waiting…` of a permission dialog is indented: not this. */
const SPINNER = /^[\u00b7\u2722\u2733\u2736\u273b\u273d*\u2802\u2810]\s+\S.*\u2026\s*(\(.*\))?\s*$/ // · ✢ ✳ ✶ ✻ ✽ * ⠂ ⠐, then …
/** The reduced-motion frame `●` also starts Claude's answers: busy only with the timer. */
const TIMER = /^\u25cf\s+\S.*\u2026\s*\((\d+[hms]\s*)+\u00b7.*tokens?.*\)\s*$/ // ●
/** The footer while a turn runs (below the input box; above it, it may be quoted prose). */
const INTERRUPT = /\b(esc|ctrl\+c) to interrupt\b/

/** The state a capture shows, or null when it shows none of Claude's known screens. */
export function stateFromScreen(text: string): ScreenState | null {
  const lines = text.replace(/\r/g, '').split('\n')
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop()
  const box = inputBox(lines)
  if (box < 0) return dialog(lines.slice(-30)) ? 'waiting' : null
  if (lines.slice(box + 1).some((l) => INTERRUPT.test(l))) return 'working'
  // the status area between the conversation and the box: the last few non-empty lines above it
  const above = lines
    .slice(0, box - 1)
    .filter((l) => l.trim() !== '')
    .slice(-4)
  return above.some((l) => SPINNER.test(l) || TIMER.test(l)) ? 'working' : 'idle'
}

/** Index of the input line of the last input box (a rule right above it), or -1. A dialog
 * replaces the box, so text above a box is conversation, whatever it quotes. */
function inputBox(lines: string[]): number {
  for (let i = lines.length - 1; i > 0; i--) if (INPUT.test(lines[i]) && RULE.test(lines[i - 1])) return i
  return -1
}

function dialog(tail: string[]): boolean {
  const q = tail.findIndex((l) => QUESTION.test(l))
  return q >= 0 && tail.slice(q + 1).some((l) => ANSWER.test(l))
}
