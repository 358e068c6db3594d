/**
 * In a terminal (a pseudo-terminal from util-linux `script`): bulk work draws a progress bar on stderr,
 * and `set` asks for the value with a prompt that does not echo it. Outside a terminal, neither.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { cleanEnv, NODE_ARGS, project, runCli, SUBPROCESS_TIMEOUT } from './support/run-cli.js'

// Each test starts the CLI as a process (node + tsx); on a loaded machine that takes seconds.
vi.setConfig({ testTimeout: SUBPROCESS_TIMEOUT, hookTimeout: SUBPROCESS_TIMEOUT })

const config = {
  'polysecret.config.json': {
    secrets: [{ type: 'yaml-file', path: 'store.yaml', name: 'local', writable: true }],
    parameters: [{ type: 'yaml-file', path: 'store.yaml', name: 'local', writable: true }],
  },
  'store.yaml': '',
  'in.env': Array.from({ length: 12 }, (_, i) => `SETTING_${i}=value-${i}\n`).join(''),
}

const shellQuote = (arg: string) => `'${arg.replace(/'/g, "'\\''")}'`

/** Runs the CLI inside a pseudo-terminal; `onOutput` may answer prompts through `write`. */
function inTerminal(
  cwd: string,
  args: string[],
  onOutput?: (output: string, write: (text: string) => void) => void,
): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, ...NODE_ARGS, ...args].map(shellQuote).join(' ')
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
    cwd,
    env: cleanEnv({ TERM: 'xterm-256color', COLUMNS: '100', LINES: '30' }),
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
    onOutput?.(output, (text) => child.stdin.write(text))
  })
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })))
}

describe('in a terminal', () => {
  it('import draws a progress bar in a terminal and none in a pipe', async () => {
    const dir = project(config)
    const tty = await inTerminal(dir, ['import', 'in.env'])
    expect(tty.code).toBe(0)
    expect(tty.output).toMatch(/import \[[█░]+\] 100% \| 12\/12/)
    const piped = await runCli(['import', 'in.env'], { cwd: project(config) })
    expect(piped.code).toBe(0)
    expect(piped.stderr).toBe('')
    expect(piped.stdout).toBe('imported 12 keys\n')
  })

  it('set asks with a hidden prompt: the typed value is stored and never echoed', async () => {
    const dir = project(config)
    const typed = 'typed-in-secret-4c1d'
    let answered = false
    const result = await inTerminal(dir, ['set', 'API_TOKEN'], (output, write) => {
      if (!answered && output.includes('Value for API_TOKEN')) {
        answered = true
        write(`${typed}\r`)
      }
    })
    expect(result.code).toBe(0)
    expect(result.output).toContain('set API_TOKEN (secret) in local')
    expect(result.output).not.toContain(typed)
    expect(readFileSync(join(dir, 'store.yaml'), 'utf8')).toContain(`API_TOKEN: ${typed}`)
  })
})
