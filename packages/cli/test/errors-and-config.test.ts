/**
 * Bad input gets one line that says what to do and an exit code — never a stack trace unless --debug —
 * and the configuration is found the way a service finds it.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { startFake } from '@polysecret/testing'
import { describe, expect, it, vi } from 'vitest'
import { AWS, project, runCli, STACK_LINE, SUBPROCESS_TIMEOUT } from './support/run-cli.js'

// Each test starts the CLI as a process (node + tsx); on a loaded machine that takes seconds.
vi.setConfig({ testTimeout: SUBPROCESS_TIMEOUT, hookTimeout: SUBPROCESS_TIMEOUT })

/** Exactly one line on stderr, starting with the program name, and no stack. */
function oneLine(stderr: string): string {
  expect(stderr).toMatch(/^polysecret: [^\n]+\n$/)
  expect(stderr).not.toMatch(STACK_LINE)
  return stderr
}

const local = {
  'polysecret.config.json': { parameters: [{ type: 'dotenv', path: '.env' }] },
  '.env': 'APP_PORT=8080\n',
}

describe('bad input', () => {
  it('an unknown command or flag is a usage error (exit 2) with a suggestion', async () => {
    const dir = project(local)
    const command = await runCli(['gte', 'APP_PORT'], { cwd: dir })
    expect(command.code).toBe(2)
    expect(oneLine(command.stderr)).toContain("unknown command 'gte'")
    const flag = await runCli(['get', 'APP_PORT', '--revael'], { cwd: dir })
    expect(flag.code).toBe(2)
    expect(oneLine(flag.stderr)).toContain("unknown option '--revael'")
    const missing = await runCli(['get'], { cwd: dir })
    expect(missing.code).toBe(2)
    expect(oneLine(missing.stderr)).toContain("missing required argument 'key'")
  })

  it('no configuration anywhere: says where it looked and what to do (exit 1)', async () => {
    const dir = project({})
    const result = await runCli(['list'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(oneLine(result.stderr)).toContain('No configuration found')
    expect(result.stderr).toContain('--config')
    const named = await runCli(['list', '--config', 'nope.yaml'], { cwd: dir })
    expect(named.code).toBe(1)
    expect(oneLine(named.stderr)).toContain('nope.yaml (from --config) does not exist')
  })

  it('an unknown provider type lists the known ones', async () => {
    const dir = project({ 'polysecret.config.json': { secrets: [{ type: 'aws-secret-manager' }] } })
    const result = await runCli(['get', 'X'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(oneLine(result.stderr)).toContain('Unknown provider type "aws-secret-manager" at secrets[0]')
    expect(result.stderr).toContain('aws-secrets-manager')
  })

  it('a store that is down: one line naming it; --debug adds the stack and the causes', async () => {
    const sm = await startFake('aws-secrets-manager', { secrets: { DB_PASSWORD: 'pw' } })
    await sm.faults.down()
    const dir = project({
      'polysecret.config.json': {
        secrets: [{ type: 'aws-secrets-manager', name: 'aws-sm', endpoint: sm.endpoint, ...AWS }],
        retry: 0,
      },
    })
    const result = await runCli(['get', 'DB_PASSWORD'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(oneLine(result.stderr)).toContain('aws-sm: UNAVAILABLE')
    const debug = await runCli(['get', 'DB_PASSWORD', '--debug'], { cwd: dir })
    expect(debug.stderr).toMatch(STACK_LINE)
    expect(debug.stderr).toContain('caused by: UnavailableError')
    await sm.stop()
  })

  it('--help and --version exit 0; help lists the exit codes', async () => {
    const dir = project({})
    const help = await runCli(['--help'], { cwd: dir })
    expect(help.code).toBe(0)
    expect(help.stdout).toContain(
      'Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 validation failed, 5 conflict.',
    )
    expect((await runCli(['--version'], { cwd: dir })).stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })
})

describe('configuration discovery', () => {
  it('finds polysecret.config.yaml in a parent folder', async () => {
    const dir = project({
      'polysecret.config.yaml': 'parameters:\n  - type: dotenv\n    path: ../.env\n',
      '.env': 'APP_PORT=8080\n',
    })
    const nested = join(dir, 'services', 'api')
    mkdirSync(nested, { recursive: true })
    // The config's paths are relative to the working directory, as for a service started there.
    const result = await runCli(['get', 'APP_PORT'], { cwd: join(dir, 'services') })
    expect(result).toMatchObject({ code: 0, stdout: '8080\n' })
    expect((await runCli(['doctor', '--json'], { cwd: nested })).stdout).toContain(
      join(dir, 'polysecret.config.yaml'),
    )
  })

  it('--config and POLYSECRET_CONFIG name the file; POLYSECRET_* variables describe one without a file', async () => {
    const dir = project({
      'other.json': { parameters: [{ type: 'dotenv', path: 'other.env' }] },
      'other.env': 'APP_PORT=1\n',
      'default.env': 'APP_PORT=2\n',
    })
    expect((await runCli(['get', 'APP_PORT', '--config', 'other.json'], { cwd: dir })).stdout).toBe('1\n')
    expect(
      (await runCli(['get', 'APP_PORT'], { cwd: dir, env: { POLYSECRET_CONFIG: 'other.json' } })).stdout,
    ).toBe('1\n')
    expect(
      (await runCli(['get', 'APP_PORT'], { cwd: dir, env: { POLYSECRET_ENV_FILE: 'default.env' } })).stdout,
    ).toBe('2\n')
  })
})
