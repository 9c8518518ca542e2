// Format drift: record types, and fields of the records the parser reads, that no release cs
// was tested against wrote. `cs doctor` folds recent transcripts through it, so a new Claude
// Code release that changes the format shows as counts and the version that wrote them, before
// it shows as wrong titles. Pure: the caller reads the lines.
import { KNOWN_TYPES, recordEnd, recordStart } from './transcript.ts'
import { isObject, jsonObject } from './untrusted.ts'

/** Fields every conversation record carries (2.0.x to 2.1.332, test/fixtures/real*). */
const CHAIN_FIELDS = [
  'type', 'uuid', 'parentUuid', 'logicalParentUuid', 'isSidechain', 'timestamp', 'sessionId', 'session_id',
  'cwd', 'version', 'gitBranch', 'userType', 'entrypoint', 'slug', 'isMeta', 'agentId', 'teamName',
] // prettier-ignore

/** The fields known for each record type the parser reads; other types are only counted. */
// prettier-ignore
const KNOWN_FIELDS: Record<string, ReadonlySet<string>> = {
  user: new Set([...CHAIN_FIELDS, 'message', 'promptId', 'permissionMode', 'origin', 'promptSource',
    'turnOrigin', 'turnPosition', 'toolUseResult', 'sandboxed', 'sourceToolAssistantUUID',
    'sourceToolUseID', 'permissionDecision', 'rowSource', 'isVisibleInTranscriptOnly', 'isCompactSummary',
    'repeatsCompactSummary', 'thinkingMetadata', 'todos', 'imagePasteIds', 'isApiErrorMessage']),
  assistant: new Set([...CHAIN_FIELDS, 'message', 'requestId', 'toolInputStreamMs', 'apiBlockIndex',
    'requestRef', 'requestedModel', 'promptCacheRequested', 'effort', 'perTurnEffort', 'madeBy',
    'serverClassifierRequest', 'isApiErrorMessage', 'error']),
  system: new Set([...CHAIN_FIELDS, 'subtype', 'content', 'level', 'toolUseID', 'hookCount', 'hookInfos',
    'hookErrors', 'failedHookErrorIndexes', 'hookAdditionalContext', 'preventedContinuation', 'stopReason',
    'hasOutput', 'durationMs', 'messageCount', 'commandRun', 'compactMetadata']),
  summary: new Set(['type', 'summary', 'leafUuid']),
  'custom-title': new Set(['type', 'customTitle', 'sessionId']),
  'agent-name': new Set(['type', 'agentName', 'sessionId']),
  'ai-title': new Set(['type', 'aiTitle', 'sessionId']),
  'last-prompt': new Set(['type', 'lastPrompt', 'leafUuid', 'sessionId']),
  tag: new Set(['type', 'tag', 'sessionId']),
  relocated: new Set(['type', 'relocatedCwd', 'sessionId']),
}

// The fields the parser reads, and the kind of value it takes from each (null: none given). A
// value of another kind is skipped there as if absent: drift, shown as `TYPE.FIELD (a KIND)`.
const STRING = (v: unknown) => typeof v === 'string'
const FLAG = (v: unknown) => typeof v === 'boolean'
const READ: Record<string, (v: unknown) => boolean> = {
  uuid: STRING, timestamp: STRING, cwd: STRING, version: STRING, gitBranch: STRING, isSidechain: FLAG,
  isMeta: FLAG, isCompactSummary: FLAG, message: isObject, customTitle: STRING, aiTitle: STRING,
  agentName: STRING, tag: STRING, lastPrompt: STRING, summary: STRING, leafUuid: STRING, relocatedCwd: STRING,
} // prettier-ignore
/** Within a message: its content (a prompt's text, or blocks) and an answer's usage. */
const READ_IN_MESSAGE: Record<string, Record<string, (v: unknown) => boolean>> = {
  user: { content: (v) => typeof v === 'string' || Array.isArray(v) },
  assistant: { content: Array.isArray, usage: isObject },
}

const kindOf = (v: unknown) => (Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`)

/** The fields of record r (of a known type) that hold a kind of value the parser does not take. */
function misread(type: string, r: Record<string, unknown>): string[] {
  const out: string[] = []
  for (const [k, ok] of Object.entries(READ)) {
    const v = r[k]
    if (v !== undefined && v !== null && !ok(v)) out.push(`${type}.${k} (${kindOf(v)})`)
  }
  const m = r.message
  if (isObject(m))
    for (const [k, ok] of Object.entries(READ_IN_MESSAGE[type] ?? {})) {
      const v = m[k]
      if (v !== undefined && v !== null && !ok(v)) out.push(`${type}.message.${k} (${kindOf(v)})`)
    }
  return out
}

export interface DriftEntry {
  /** `TYPE` for an unknown record type, `TYPE.FIELD` for an unknown field of a known one,
   *  `TYPE.FIELD (a KIND)` for a field read that holds another kind of value */
  what: string
  count: number
  /** the Claude Code versions that wrote it (the record's own, else the file's latest) */
  versions: string[]
  files: number
}

export interface Drift {
  files: number
  lines: number
  /** lines that are not JSON objects */
  badLines: number
  types: DriftEntry[]
  fields: DriftEntry[]
}

interface Tally {
  count: number
  versions: Set<string>
  files: Set<number>
}

export class DriftCounter {
  private files = 0
  private lines = 0
  private badLines = 0
  private readonly types = new Map<string, Tally>()
  private readonly fields = new Map<string, Tally>()

  /** Counts one file's lines. */
  addFile(text: string): void {
    const file = this.files++
    const pending: [Map<string, Tally>, string, string | null][] = []
    let fileVersion: string | null = null
    const lines = text.split('\n')
    for (const [i, line] of lines.entries()) {
      const b = Buffer.from(line)
      const start = recordStart(b, 0, b.length)
      const end = recordEnd(b, start, b.length)
      if (start === end) continue
      const r = jsonObject(b.toString('utf8', start, end))
      // a last line with no newline that is no object yet is being written: not counted, as the
      // indexer leaves it for later
      if (!r && i === lines.length - 1) continue
      this.lines++
      if (!r) {
        this.badLines++
        continue
      }
      const version = typeof r.version === 'string' && r.version.length < 40 ? r.version : null
      fileVersion = version ?? fileVersion
      const type = typeof r.type === 'string' ? r.type.slice(0, 80) : '(no type)'
      if (!KNOWN_TYPES.has(type)) {
        pending.push([this.types, type, version])
        continue
      }
      const known = KNOWN_FIELDS[type]
      if (known) for (const k of Object.keys(r)) if (!known.has(k)) pending.push([this.fields, `${type}.${k.slice(0, 80)}`, version])
      for (const what of misread(type, r)) pending.push([this.fields, what, version])
    }
    for (const [map, what, version] of pending) {
      let t = map.get(what)
      if (!t) map.set(what, (t = { count: 0, versions: new Set(), files: new Set() }))
      t.count++
      t.files.add(file)
      const v = version ?? fileVersion
      if (v) t.versions.add(v)
    }
  }

  report(): Drift {
    const list = (map: Map<string, Tally>): DriftEntry[] =>
      [...map]
        .map(([what, t]) => ({ what, count: t.count, versions: [...t.versions].sort(), files: t.files.size }))
        .sort((a, b) => b.count - a.count || a.what.localeCompare(b.what))
    return { files: this.files, lines: this.lines, badLines: this.badLines, types: list(this.types), fields: list(this.fields) }
  }
}
