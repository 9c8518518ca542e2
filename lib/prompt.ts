// What the user typed, told apart from what Claude Code wrote in the user's name: meta
// messages, tool results, compaction summaries, slash-command echoes, interrupts.

/** Text starting like this is a wrapper (`<command-name>`, `<local-command-caveat>`,
 *  `<bash-input>`, `<system-reminder>`...) or an interrupt marker, never a typed prompt. */
const NOT_TYPED = /^(?:\s*<[a-z][\w-]*[\s>/]|\s*\[Request interrupted by user)/

export const PROMPT_MAX = 200

/** What `\s` matches in a JavaScript regular expression. */
const isSpace = (c: number) =>
  c <= 32
    ? c === 32 || (c >= 9 && c <= 13)
    : c >= 0xa0 && (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 ||
      c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff) // prettier-ignore

/**
 * Whitespace collapsed, cut to `max` characters plus '…'; null when nothing is left. Reads only
 * as far into the text as the result shows (a prompt may be a pasted log of 100 kB).
 */
export function shorten(text: string, max = PROMPT_MAX): string | null {
  let flat = ''
  let i = 0
  while (i < text.length && isSpace(text.charCodeAt(i))) i++
  let from = i // start of the run of text not yet copied into flat
  while (i < text.length && flat.length + (i - from) <= max) {
    const c = text.charCodeAt(i++)
    if (!isSpace(c)) continue
    // a single space between words stays in the run: copying a word at a time costs more
    if (c === 32 && i < text.length && !isSpace(text.charCodeAt(i))) continue
    flat += text.slice(from, i - 1)
    while (i < text.length && isSpace(text.charCodeAt(i))) i++
    if (i < text.length) flat += ' ' // a run at the very end is trimmed
    from = i
  }
  flat += text.slice(from, i)
  if (!flat) return null
  return flat.length <= max ? flat : cut(flat, max) // the whole text, or max + 1 shown characters
}

/** The first max characters of flat and `…`; a surrogate pair is kept whole (one fewer then). */
export function cut(flat: string, max: number): string {
  const c = flat.charCodeAt(max - 1)
  const at = c >= 0xd800 && c <= 0xdbff ? max - 1 : max // keep surrogate pairs whole
  return `${flat.slice(0, at)}…`
}

/** Whether the text is a wrapper or an interrupt: the expression is tried only on a text that
 *  starts as one can. */
function notTyped(text: string): boolean {
  const c = text.charCodeAt(0)
  return (c === 60 || c === 91 || isSpace(c)) && NOT_TYPED.test(text)
}

/** The typed prompt of a user record (JSON.parse'd or scanned) as written, or null: none, or
 *  blanks only. Shortened where it is shown (lib/transcript.ts keeps the last one unshortened
 *  until it is asked for: a session holds thousands). */
export function typedText(rec: Record<string, unknown>): string | null {
  if (rec.isMeta === true || rec.isCompactSummary === true) return null
  const msg = rec.message
  if (typeof msg !== 'object' || msg === null) return null
  const content = (msg as { content?: unknown }).content
  if (typeof content === 'string') return typed(content) ? content : null
  if (!Array.isArray(content)) return null
  let text: string | null = null
  for (const block of content as { type?: unknown; text?: unknown }[]) {
    if (block?.type === 'tool_result') return null
    if (text === null && block?.type === 'text' && typeof block.text === 'string' && typed(block.text))
      text = block.text
  }
  return text
}

/** Blanks only: what shorten() makes null, told without shortening. */
export const isBlank = (text: string) => !/\S/.test(text)

/** Neither a wrapper nor an interrupt, nor blanks only. */
const typed = (text: string) => !notTyped(text) && !isBlank(text)

/** `/name args` of a slash command's user record (`<command-name>/name</command-name>…
 *  <command-args>args</command-args>`), shortened, or null for any other record. */
export function slashCommand(rec: Record<string, unknown>): string | null {
  const msg = rec.message
  if (typeof msg !== 'object' || msg === null) return null
  const content = (msg as { content?: unknown }).content
  const first = Array.isArray(content) ? (content[0] as { type?: unknown; text?: unknown } | undefined) : undefined
  const text = typeof content === 'string' ? content : first?.type === 'text' ? first.text : null
  // an echo starts with its tags: a text starting otherwise only quotes one
  if (typeof text !== 'string' || !/^\s*</.test(text) || !text.includes('<command-name>')) return null
  const name = /<command-name>\s*\/?([^<\s]+)\s*<\/command-name>/.exec(text)?.[1]
  if (!name) return null
  const args = /<command-args>([\s\S]*?)<\/command-args>/.exec(text)?.[1] ?? ''
  return shorten(`/${name} ${args}`)
}
