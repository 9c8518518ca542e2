// Model objects for the pure tests of views, short ids and rendering: complete defaults,
// overridden field by field.
import type { LiveInfo, SessionView, TranscriptInfo } from '../../lib/session.ts'

export function transcriptInfo(over: Partial<TranscriptInfo> & { id: string }): TranscriptInfo {
  return {
    path: `/home/u/.claude/projects/-home-u-app/${over.id}.jsonl`,
    projectDir: '-home-u-app',
    cwd: '/home/u/app',
    branch: 'main',
    customTitle: null,
    agentName: null,
    aiTitle: null,
    summary: null,
    firstPrompt: 'fix the tests',
    lastPrompt: 'and the docs',
    command: null,
    tag: null,
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T11:00:00.000Z',
    userMessages: 3,
    assistantMessages: 4,
    sidechainMessages: 0,
    model: 'claude-sonnet-4-5',
    tokens: { input: 100, output: 200, cacheRead: 300, cacheWrite: 400 },
    version: '2.1.197',
    orphan: false,
    sidechain: false,
    unknownRecords: 0,
    badLines: 0,
    lastUuid: null,
    summaries: [],
    ...over,
  }
}

export function liveInfo(over: Partial<LiveInfo>): LiveInfo {
  return {
    id: null,
    host: 'here',
    kind: 'tmux',
    state: 'idle',
    stateSince: '2026-11-20T12:00:00.000Z',
    waitingFor: null,
    name: null,
    cwd: null,
    tmuxSession: null,
    tmuxPane: null,
    pid: null,
    bgId: null,
    ...over,
  }
}

export function sessionView(over: Partial<SessionView> & { id: string }): SessionView {
  return {
    short: over.id.slice(0, 4),
    name: null,
    title: 'a session',
    host: 'here',
    state: 'stopped',
    stateSince: null,
    cwd: '/home/u/app',
    project: 'app',
    branch: null,
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T11:00:00.000Z',
    messages: 2,
    orphan: false,
    deleted: false,
    live: false,
    tag: null,
    model: null,
    tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    path: null,
    tmuxSession: null,
    kind: 'history',
    ...over,
  }
}
