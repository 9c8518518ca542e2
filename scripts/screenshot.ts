// Makes the README's pictures from a real run: a tmux server with plugin.tmux loaded and four cs
// sessions, a client attached; prefix + C (docs/picker.png), the status bar alone
// (docs/status.png), prefix + S (docs/dashboard.png). The client's screen is captured with its
// colours (capture-pane -e) and drawn as SVG, then PNG (rsvg-convert, Debian's librsvg2-bin).
// The states are set on the sessions as tmux/hook.sh sets them.
// usage: npm run screenshots
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { encodeProjectDir } from '../lib/paths.ts'

const REPO = resolve(import.meta.dirname, '..')
const DOCS = join(REPO, 'docs')
const [COLS, ROWS] = [140, 34]
const dir = mkdtempSync(join(tmpdir(), 'cs-screenshot-'))
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: join(dir, 'home'),
  CLAUDE_CONFIG_DIR: join(dir, 'home/.claude'),
  XDG_STATE_HOME: join(dir, 'state'),
  CS_HOST: 'devbox',
  CS_FROM_SOURCE: '1',
  LANG: 'C.UTF-8',
  TERM: 'xterm-256color',
  CS_TMUX_SOCKET: `cs-shot-${process.pid}`,
}
const CONF = join(dir, 'tmux.conf')
const tmux = (socket: string, ...args: string[]) => {
  const r = spawnSync('tmux', ['-L', socket, '-f', CONF, ...args], { env, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`tmux ${args[0]}: ${r.stderr}`)
  return r.stdout
}
const inner = (...args: string[]) => tmux(env.CS_TMUX_SOCKET, ...args)
const outer = (...args: string[]) => tmux(`${env.CS_TMUX_SOCKET}-outer`, ...args)

// prettier-ignore
const LIVE = [
  { name: 'api-auth', state: 'waiting', title: 'Add OAuth login to the API', cwd: 'api', ago: 40, talk: [
    ['Add OAuth login with GitHub to the API', 'I will add a /auth/github route and its callback.', 'Bash', 'npm install passport-github2'],
    ['Also store the tokens encrypted', 'Encrypting them with the app key before they are saved.', 'Edit', 'src/auth/tokens.ts']] },
  { name: 'web-redesign', state: 'working', title: 'Redesign the settings page', cwd: 'web', ago: 5, talk: [
    ['Redesign the settings page with tabs', 'Splitting it into General, Billing and Team tabs.', 'Write', 'src/pages/settings/Tabs.tsx']] },
  { name: 'parser-bench', state: 'working', title: 'Speed up the transcript parser', cwd: 'cs', ago: 12, talk: [
    ['The parser is slow on big files: profile it', 'JSON.parse dominates; scanning for the needed fields is 3x faster.', 'Bash', 'npm run bench']] },
  { name: 'docs', state: 'idle', title: 'Write the install guide', cwd: 'docs', ago: 900, talk: [
    ['Write the install guide for Debian', 'Done: docs/install.md covers apt, npm and the tmux plugin.']] },
]
// prettier-ignore
const HISTORY: [string, string, number][] = [
  ['Fix the flaky login test', 'api', 5 * 3600], ['Migrate the database to Postgres 16', 'api', 86400],
  ['Explain the build cache', 'web', 2 * 86400], ['Triage the open issues', 'cs', 4 * 86400], ['Upgrade React to 19', 'web', 9 * 86400],
]

let serial = 0
function writeTranscript(cwd: string, talk: string[][], agoS: number): string {
  const id = `5e55${String(++serial).padStart(4, '0')}-0000-4000-8000-000000000000`
  const folder = join(env.CLAUDE_CONFIG_DIR, 'projects', encodeProjectDir(cwd))
  mkdirSync(folder, { recursive: true })
  const base = {
    isSidechain: false,
    cwd,
    sessionId: id,
    timestamp: new Date(Date.now() - agoS * 1000).toISOString(),
  }
  const records = talk.flatMap(([prompt, reply, tool, arg], i) => [
    {
      parentUuid: null,
      ...base,
      type: 'user',
      uuid: `u${i}`,
      message: { role: 'user', content: prompt },
    },
    {
      parentUuid: null,
      ...base,
      type: 'assistant',
      uuid: `a${i}`,
      message: {
        id: `m${i}`,
        role: 'assistant',
        content: [
          { type: 'text', text: reply },
          ...(tool
            ? [
                {
                  type: 'tool_use',
                  id: `t${i}`,
                  name: tool,
                  input: tool === 'Bash' ? { command: arg } : { file_path: arg },
                },
              ]
            : []),
        ],
      },
    },
  ])
  writeFileSync(join(folder, `${id}.jsonl`), records.map((r) => JSON.stringify(r) + '\n').join(''))
  return id
}

function cs(...args: string[]): void {
  spawnSync(process.execPath, [join(REPO, 'bin/cs.mjs'), ...args], {
    env,
    stdio: 'ignore',
    input: '',
  })
}

async function setScene(): Promise<void> {
  // prettier-ignore
  writeFileSync(CONF, [
    'set -g default-terminal "tmux-256color"', 'set -g status-style "bg=colour236,fg=colour250"',
    "set -g status-left '#[bold] #S #[nobold]'", 'set -g status-left-length 30', 'set -g status-right-length 80',
    "set -g status-right '#{cs_status}  #{cs_session_state}  #[fg=colour245]%H:%M '",
    'set -g window-status-format ""', 'set -g window-status-current-format ""', '',
  ].join('\n'))
  for (const [title, project, ago] of HISTORY)
    writeTranscript(join(env.HOME, project), [[title, 'Done.']], ago)
  const ids = LIVE.map((s) => {
    mkdirSync(join(env.HOME, s.cwd), { recursive: true })
    return writeTranscript(join(env.HOME, s.cwd), s.talk, s.ago)
  })
  for (const s of LIVE)
    inner(
      'new-session',
      '-d',
      '-s',
      s.name,
      '-x',
      String(COLS),
      '-y',
      String(ROWS),
      '-c',
      join(env.HOME, s.cwd),
      'sleep 100000'
    )
  cs('resume', 'no such session') // indexes the transcripts and writes the picker's cache; resumes nothing
  LIVE.forEach((s, i) => {
    const at = String(Math.floor(Date.now() / 1000) - s.ago)
    // prettier-ignore
    for (const [k, v] of [['@cs_managed', '1'], ['@cs_id', ids[i]], ['@cs_title', s.title], ['@cs_cwd', join(env.HOME, s.cwd)], ['@cs_state', s.state], ['@cs_state_at', at]])
      inner('set-option', '-t', `=${s.name}:`, k, v)
  })
  inner('run-shell', join(REPO, 'plugin.tmux'))
  outer(
    'new-session',
    '-d',
    '-s',
    'client',
    '-x',
    String(COLS),
    '-y',
    String(ROWS),
    'env',
    '-u',
    'TMUX',
    'tmux',
    '-L',
    env.CS_TMUX_SOCKET,
    'attach',
    '-t',
    '=api-auth'
  )
  await sleep(1500)
}

/** The client's screen (or its last ROWS rows) as docs/NAME.png. */
function shoot(name: string, rows = ROWS): void {
  const screen = outer('capture-pane', '-e', '-p', '-t', '=client:', '-S', String(ROWS - rows), '-E', String(ROWS - 1))
  const svg = join(dir, `${name}.svg`)
  writeFileSync(svg, ansiToSvg(screen, rows))
  const out = join(DOCS, `${name}.png`)
  const r = spawnSync('rsvg-convert', ['-o', out, svg], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`rsvg-convert: ${r.stderr || r.error} (apt-get install librsvg2-bin)`)
  console.log(`wrote ${out}`)
}

/** Presses KEYS on the client, then waits until its screen shows TEXT (and a moment more for
 *  the rest to be drawn). */
async function press(keys: string[], text: string): Promise<void> {
  outer('send-keys', '-t', '=client:', ...keys)
  for (const end = Date.now() + 60_000; !outer('capture-pane', '-p', '-t', '=client:').includes(text); await sleep(200))
    if (Date.now() > end) throw new Error(`waited a minute for "${text}" after ${keys.join(' ')}`)
  await sleep(1000)
}

async function main(): Promise<void> {
  try {
    await setScene()
    mkdirSync(DOCS, { recursive: true })
    shoot('status', 1)
    await press(['C-b', 'C'], 'Upgrade React to 19') // the preview fills in after the list
    await sleep(2000)
    shoot('picker')
    outer('send-keys', '-t', '=client:', 'Escape')
    await sleep(1000)
    await press(['C-b', 'S'], 'Upgrade React to 19')
    shoot('dashboard')
  } finally {
    spawnSync('tmux', ['-L', `${env.CS_TMUX_SOCKET}-outer`, 'kill-server'])
    spawnSync('tmux', ['-L', env.CS_TMUX_SOCKET, 'kill-server'])
    rmSync(dir, { recursive: true, force: true })
  }
}

// ANSI (SGR colours only, as capture-pane -e writes them) to SVG, one text run per colour change.
const BASE16 = [
  '#282c34',
  '#e06c75',
  '#98c379',
  '#e5c07b',
  '#61afef',
  '#c678dd',
  '#56b6c2',
  '#dcdfe4',
  '#5c6370',
  '#e06c75',
  '#98c379',
  '#e5c07b',
  '#61afef',
  '#c678dd',
  '#56b6c2',
  '#ffffff',
]
function colour256(n: number): string {
  if (n < 16) return BASE16[n]
  if (n >= 232) return `rgb(${8 + (n - 232) * 10},${8 + (n - 232) * 10},${8 + (n - 232) * 10})`
  const c = n - 16
  const v = (x: number) => (x ? 55 + x * 40 : 0)
  return `rgb(${v(Math.floor(c / 36))},${v(Math.floor(c / 6) % 6)},${v(c % 6)})`
}
const FG = BASE16[7]
const BG = BASE16[0]
const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function ansiToSvg(text: string, rows: number): string {
  const size = 14
  const [cw, ch] = [(size * 1233) / 2048, 17] // DejaVu Sans Mono's advance: 1233 of 2048 units
  const out: string[] = []
  const st = { fg: FG, bg: BG, bold: false, dim: false, reverse: false }
  text
    .split('\n')
    .slice(0, rows)
    .forEach((line, row) => {
      let col = 0
      for (const part of line.split(/(\x1b\[[0-9;]*m)/)) {
        const sgr = part.match(/^\x1b\[([0-9;]*)m$/)
        if (sgr) {
          const codes = (sgr[1] || '0').split(';').map(Number)
          for (let i = 0; i < codes.length; i++) {
            const c = codes[i]
            if (c === 0)
              Object.assign(st, { fg: FG, bg: BG, bold: false, dim: false, reverse: false })
            else if (c === 1) st.bold = true
            else if (c === 2) st.dim = true
            else if (c === 22) Object.assign(st, { bold: false, dim: false })
            else if (c === 7) st.reverse = true
            else if (c === 27) st.reverse = false
            else if (c >= 30 && c <= 37) st.fg = BASE16[c - 30]
            else if (c >= 90 && c <= 97) st.fg = BASE16[c - 82]
            else if (c === 39) st.fg = FG
            else if (c >= 40 && c <= 47) st.bg = BASE16[c - 40]
            else if (c >= 100 && c <= 107) st.bg = BASE16[c - 92]
            else if (c === 49) st.bg = BG
            else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
              st[c === 38 ? 'fg' : 'bg'] = colour256(codes[i + 2])
              i += 2
            } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
              st[c === 38 ? 'fg' : 'bg'] = `rgb(${codes[i + 2]},${codes[i + 3]},${codes[i + 4]})`
              i += 4
            }
          }
          continue
        }
        if (!part) continue
        const cells = [...part].length
        const [fg, bg] = st.reverse ? [st.bg, st.fg] : [st.fg, st.bg]
        const [x, y] = [col * cw, row * ch]
        if (bg !== BG)
          out.push(`<rect x="${x}" y="${y}" width="${cells * cw}" height="${ch}" fill="${bg}"/>`)
        const weight = st.bold ? ' font-weight="bold"' : ''
        const opacity = st.dim ? ' fill-opacity="0.6"' : ''
        // one element a word, placed by its cell: renderers squeeze runs of spaces
        for (const word of part.matchAll(/\S+/gu)) {
          const at = [...part.slice(0, word.index)].length
          const wx = (col + at) * cw
          out.push(
            `<text x="${wx}" y="${y + ch - 4}" fill="${fg}"${weight}${opacity}>${escapeXml(word[0])}</text>`
          )
        }
        col += cells
      }
    })
  const [w, h] = [COLS * cw, rows * ch]
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="DejaVu Sans Mono" font-size="${size}"><rect width="${w}" height="${h}" fill="${BG}"/>${out.join('')}</svg>\n`
}

await main()
