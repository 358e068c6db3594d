/**
 * Completion scripts parse in their shells (`bash -n`, `zsh -n`, `fish --no-execute`) and complete
 * commands and a command's own options. zsh and fish come from Debian packages (apt-get install zsh fish).
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { systemTool } from '../../../test/support/system-tools.js'
import { project, runCli, SUBPROCESS_TIMEOUT } from './support/run-cli.js'

// Each test starts the CLI as a process (node + tsx); on a loaded machine that takes seconds.
vi.setConfig({ testTimeout: SUBPROCESS_TIMEOUT, hookTimeout: SUBPROCESS_TIMEOUT })

const scripts: Record<string, string> = {}
let dir: string

beforeAll(async () => {
  dir = project({})
  for (const shell of ['bash', 'zsh', 'fish']) {
    const result = await runCli(['completion', shell], { cwd: dir })
    expect(result.code).toBe(0)
    scripts[shell] = result.stdout
    writeFileSync(join(dir, `polysecret.${shell}`), result.stdout)
  }
})

describe('completion', () => {
  it('bash: parses, and completes command names and the options of the command being typed', () => {
    execFileSync('bash', ['-n', join(dir, 'polysecret.bash')])
    const complete = (words: string) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source ${join(dir, 'polysecret.bash')}; COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _polysecret; echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: 'utf8' },
      ).trim()
    expect(complete('polysecret mig')).toBe('migrate')
    expect(complete('polysecret migrate --ap')).toBe('--apply')
    expect(complete('polysecret --config x.json get --rev')).toBe('--reveal')
  })

  it.runIf(systemTool('zsh').run)('zsh: parses', () => {
    execFileSync('zsh', ['-n', join(dir, 'polysecret.zsh')])
    expect(scripts.zsh).toContain("'rotate:write a new (generated) version of a key'")
  })

  it.runIf(systemTool('fish').run)('fish: parses', () => {
    execFileSync('fish', ['--no-execute', join(dir, 'polysecret.fish')])
    expect(scripts.fish).toContain("complete -c polysecret -n '__fish_seen_subcommand_from run' -l only")
  })

  it('an unknown shell is a usage error', async () => {
    const result = await runCli(['completion', 'tcsh'], { cwd: dir })
    expect(result.code).toBe(2)
  })
})
