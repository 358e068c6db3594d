/**
 * CLI startup: `polysecret --help` and `polysecret get` on local stores (a YAML config naming a dotenv
 * file and a YAML file), each as a whole process, over bare `node -e 0`. The built binary
 * (packages/cli/dist/bin.js) is measured — what `npx polysecret` runs. With hyperfine installed
 * (apt-get install hyperfine) it does the timing; otherwise a loop of spawns, median of the runs.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { builtPackage, fmt, median, writeResults } from './lib.js'

const TARGET_MS = 150
const RUNS = 40

function buildCli(): string {
  builtPackage('@polysecret/core')
  execFileSync('pnpm', ['--filter', 'polysecret', 'build'], {
    stdio: 'ignore',
    cwd: join(import.meta.dirname, '..'),
  })
  return join(import.meta.dirname, '../packages/cli/dist/bin.js')
}

function localProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'polysecret-bench-cli-'))
  writeFileSync(
    join(dir, 'polysecret.config.yaml'),
    'secrets:\n  - type: yaml-file\n    path: secrets.yaml\nparameters:\n  - type: env\n  - type: dotenv\n    path: .env\n',
  )
  writeFileSync(join(dir, '.env'), 'APP_PORT=8080\nLOG_LEVEL=info\n')
  writeFileSync(join(dir, 'secrets.yaml'), 'DB_PASSWORD: not-a-real-one\n')
  return dir
}

function hyperfineAvailable(): boolean {
  return spawnSync('hyperfine', ['--version']).status === 0
}

interface Timing {
  /** Median wall time, ms. */
  wall: number
  /** Mean user + system CPU time, ms: what the process itself costs, less disturbed by a busy machine. */
  cpu: number | undefined
}

/** Each command line timed by hyperfine. */
function withHyperfine(commands: Record<string, string>, cwd: string): Record<string, Timing> {
  const out = join(cwd, 'hyperfine.json')
  execFileSync(
    'hyperfine',
    ['--warmup', '3', '--runs', String(RUNS), '-N', '--export-json', out, ...Object.values(commands)],
    { cwd, stdio: 'ignore' },
  )
  const results = (
    JSON.parse(readFileSync(out, 'utf8')) as { results: { median: number; user: number; system: number }[] }
  ).results
  return Object.fromEntries(
    Object.keys(commands).map((name, i) => {
      const r = results[i]!
      return [name, { wall: r.median * 1000, cpu: (r.user + r.system) * 1000 }]
    }),
  )
}

/** The same without hyperfine: interleaved spawns, median per command. */
function withSpawnLoop(commands: Record<string, string>, cwd: string): Record<string, Timing> {
  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, [] as number[]]))
  for (let run = 0; run < RUNS + 3; run++) {
    for (const [name, line] of Object.entries(commands)) {
      const [cmd, ...args] = line.split(' ')
      const started = performance.now()
      spawnSync(cmd!, args, { cwd, stdio: 'ignore' })
      if (run >= 3) times[name]!.push(performance.now() - started)
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { wall: median(v), cpu: undefined }]))
}

export async function runCli() {
  const bin = buildCli()
  const cwd = localProject()
  try {
    const node = process.execPath
    const commands = {
      bareNode: `${node} -e 0`,
      help: `${node} ${bin} --help`,
      getParameter: `${node} ${bin} get APP_PORT`,
      getSecret: `${node} ${bin} get DB_PASSWORD`,
    }
    const tool = hyperfineAvailable() ? 'hyperfine' : 'spawn loop'
    const t = tool === 'hyperfine' ? withHyperfine(commands, cwd) : withSpawnLoop(commands, cwd)
    const ms = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.wall])) as Record<
      keyof typeof commands,
      number
    >
    const over = (name: keyof typeof commands) => ms[name] - ms.bareNode
    const cpuOver = (name: keyof typeof commands) =>
      t[name]!.cpu === undefined ? undefined : t[name]!.cpu! - t.bareNode!.cpu!
    const figures = {
      tool,
      runs: RUNS,
      bareNodeMs: ms.bareNode,
      helpMs: ms.help,
      getParameterMs: ms.getParameter,
      getSecretMs: ms.getSecret,
      helpOverBareMs: over('help'),
      getParameterOverBareMs: over('getParameter'),
      getSecretOverBareMs: over('getSecret'),
      cpuOverBareMs: {
        help: cpuOver('help'),
        getParameter: cpuOver('getParameter'),
        getSecret: cpuOver('getSecret'),
      },
      target: `each over bare node <= ${TARGET_MS} ms`,
    }
    const file = writeResults('cli', figures)
    console.log(`cli (${file}; ${tool}, median of ${RUNS})
  bare node            ${fmt(ms.bareNode!, 1)} ms
  polysecret --help    ${fmt(ms.help!, 1)} ms = ${fmt(over('help'), 1)} ms over bare node (target ≤ ${TARGET_MS})
  polysecret get       ${fmt(ms.getParameter!, 1)} ms = ${fmt(over('getParameter'), 1)} ms over bare node (parameter, dotenv); secret from a YAML file ${fmt(over('getSecret'), 1)} ms over
  CPU over bare node   --help ${fmt(cpuOver('help') ?? Number.NaN, 1)} ms, get ${fmt(cpuOver('getParameter') ?? Number.NaN, 1)} / ${fmt(cpuOver('getSecret') ?? Number.NaN, 1)} ms (user + system)`)
    return figures
  } finally {
    rmSync(cwd, { recursive: true, force: true })
  }
}
