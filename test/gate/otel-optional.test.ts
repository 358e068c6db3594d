/**
 * `@opentelemetry/api` is an optional peer of core: a manager without `telemetry` never loads it
 * (checked in a fresh process, where nothing else could have), and one with it does.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const PROBE = join(import.meta.dirname, 'fixtures', 'otel-probe.mts')

async function loadedModules(telemetry: 'on' | 'off'): Promise<number> {
  const { stdout } = await run(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', PROBE, telemetry],
    {
      cwd: join(import.meta.dirname, '..'),
      env: { PATH: process.env.PATH, METADATA_SERVER_DETECTION: 'none' },
    },
  )
  return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { loaded: number }).loaded
}

describe('telemetry is optional', () => {
  it('a manager without telemetry never loads @opentelemetry/api', async () => {
    expect(await loadedModules('off')).toBe(0)
  })
  it('a manager with telemetry loads it on first use', async () => {
    expect(await loadedModules('on')).toBeGreaterThan(0)
  })
})
