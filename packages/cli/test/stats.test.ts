/**
 * `--stats` / `polysecret stats`: the calls per store the CLI reports are the requests the stores
 * received (counted by the fakes), and a dry run reports the writes it would make.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type AwsProject, awsProject } from './support/aws-project.js'
import { runCli, SUBPROCESS_TIMEOUT } from './support/run-cli.js'

// Each test starts the CLI as a process (node + tsx); on a loaded machine that takes seconds.
vi.setConfig({ testTimeout: SUBPROCESS_TIMEOUT, hookTimeout: SUBPROCESS_TIMEOUT })

let p: AwsProject
beforeEach(async () => {
  p = await awsProject(
    { DB_PASSWORD: 'pw', API_TOKEN: 'tok' },
    { DB_HOST: 'h', LOG_LEVEL: 'info', QUEUE_URL: 'q' },
  )
})
afterEach(() => p.stop())

/** The calls the CLI reported (it prints them as JSON on stderr with --json). */
function reported(stderr: string): Record<string, Record<string, number>> {
  return JSON.parse(stderr.slice(stderr.indexOf('{'))).calls
}

describe('stats', () => {
  it('export --stats: the calls per store match what each store received', async () => {
    const result = await runCli(['export', '--format', 'json', '--json', '--stats', '--quiet'], {
      cwd: p.dir,
    })
    expect(result.code).toBe(0)
    const calls = reported(result.stderr)
    const total = (store: string) => Object.values(calls[store] ?? {}).reduce((a, b) => a + b, 0)
    expect(total('aws-sm')).toBe(p.sm.requests.count())
    expect(total('ssm')).toBe(p.ssm.requests.count())
    // Parameters only: the secrets store is listed, its values are not read.
    expect(p.sm.requests.count('GetSecretValue') + p.sm.requests.count('BatchGetSecretValue')).toBe(0)
    expect(calls['aws-sm']).toEqual({ list: 1 })
  })

  it('a migration plan reports its reads and the writes --apply would make, and writes nothing', async () => {
    const result = await runCli(['stats', 'migrate', '--from', 'ssm', '--to', 'aws-sm', '--json'], {
      cwd: p.dir,
    })
    expect(result.code).toBe(0)
    const calls = reported(result.stderr)
    expect(calls['aws-sm']?.['planned-write']).toBe(3)
    expect(p.sm.requests.count('CreateSecret') + p.sm.requests.count('PutSecretValue')).toBe(0)
    const smCalls = Object.entries(calls['aws-sm'] ?? {}).filter(([op]) => op !== 'planned-write')
    expect(smCalls.reduce((a, [, n]) => a + n, 0)).toBe(p.sm.requests.count())
  })
})
