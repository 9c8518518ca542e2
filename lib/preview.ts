// The preview of a session: its last exchanges as plain text, made from transcript lines read
// from the end of the file. Pure: the lines come in, the text goes out, safe for a terminal.
import { cleanLines, jsonObject } from './untrusted.ts'
import { cut } from './prompt.ts'

export interface Entry {
  role: 'user' | 'assistant'
  text: string
}

export interface PreviewOptions {
  /** exchanges shown (a prompt and what followed it), the newest */
  exchanges: number
  /** characters kept of one entry */
  maxChars: number
}

export const PREVIEW_DEFAULTS: PreviewOptions = { exchanges: 3, maxChars: 800 }

// a reply of many tool calls: the preview stops there rather than read on
const MAX_ENTRIES = 60

type Rec = Record<string, any>

const WRAPPED = /^\s*<([a-z][\w-]*)[\s>]/
const tagText = (text: string, tag: string) =>
  text.match(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`))?.[1]?.trim()

/** What the user typed, as they typed it: slash commands as `/cmd args`, bash mode as `! cmd`. */
function userText(text: string): string | null {
  const tag = text.match(WRAPPED)?.[1]
  if (!tag) return /^\s*\[Request interrupted by user/.test(text) ? null : text.trim() || null
  if (tag === 'command-name')
    return [tagText(text, 'command-name'), tagText(text, 'command-args')].filter(Boolean).join(' ')
  if (tag === 'bash-input') return `! ${tagText(text, 'bash-input') ?? ''}`
  return null // caveats, reminders, command output
}

function toolLine(block: Rec): string {
  const input: Rec = block.input ?? {}
  const arg =
    input.command ?? input.file_path ?? input.pattern ?? input.url ?? input.description ?? ''
  return `→ ${block.name ?? 'tool'}(${String(arg).split('\n')[0]})`
}

/** What one transcript record shows, or null for everything that is not part of the talk. */
export function entryOf(rec: Rec): Entry | null {
  if (rec.isSidechain || rec.isMeta || rec.isCompactSummary) return null
  const content = rec.message?.content
  if (rec.type === 'user') {
    const texts =
      typeof content === 'string'
        ? [content]
        : Array.isArray(content)
          ? content.map((b: Rec) => (b?.type === 'text' ? b.text : null))
          : []
    const shown = texts
      .filter((t): t is string => typeof t === 'string')
      .map(userText)
      .filter(Boolean)
    return shown.length ? { role: 'user', text: shown.join('\n') } : null
  }
  if (rec.type === 'assistant' && Array.isArray(content)) {
    const parts = content.flatMap((b: Rec) =>
      b?.type === 'text' && b.text?.trim()
        ? [b.text.trim()]
        : b?.type === 'tool_use'
          ? [toolLine(b)]
          : []
    )
    return parts.length ? { role: 'assistant', text: parts.join('\n') } : null
  }
  return null
}

/** The last exchanges' entries, oldest first, from lines given newest first (linesFromEnd). */
export function lastEntries(linesNewestFirst: Iterable<string>, exchanges: number): Entry[] {
  const found: Entry[] = []
  let prompts = 0
  for (const line of linesNewestFirst) {
    // only chat records are parsed: the rest (snapshots, metadata) is skipped unread
    if (!line.includes('"type":"user"') && !line.includes('"type":"assistant"')) continue
    const rec = jsonObject(line)
    const entry = rec ? entryOf(rec) : null
    if (!entry) continue
    found.push(entry)
    if (entry.role === 'user') prompts++
    if (prompts >= exchanges || found.length >= MAX_ENTRIES) break
  }
  return found.reverse()
}


/** Plain text: each prompt after `>`, replies indented under it; a reply's records joined. */
export function renderPreview(entries: Entry[], o: PreviewOptions = PREVIEW_DEFAULTS): string {
  if (entries.length === 0) return '(no messages yet)'
  const blocks: Entry[] = []
  for (const e of entries) {
    const last = blocks.at(-1)
    if (last?.role === 'assistant' && e.role === 'assistant') last.text += `\n${e.text}`
    else blocks.push({ ...e })
  }
  return blocks
    .map((b) => {
      const text = cleanLines(b.text)
      const lines = (text.length > o.maxChars ? cut(text, o.maxChars - 1) : text).split('\n')
      return b.role === 'user' ? `> ${lines.join('\n  ')}` : lines.map((l) => `  ${l}`).join('\n')
    })
    .join('\n\n')
}
