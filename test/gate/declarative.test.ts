/**
 * `limits` and `telemetry` in a declarative config (createManager and config files), validated like
 * the option.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createManager, ValidationError } from '@polysecret/core'
import { describe, expect, it } from 'vitest'

describe('declarative limits and telemetry', () => {
  it('a YAML config sets per-provider limits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polysecret-limits-'))
    const path = join(dir, 'polysecret.config.yaml')
    writeFileSync(
      path,
      [
        'parameters:',
        '  - type: env',
        'limits:',
        '  env:',
        '    rate: 5',
        '    burst: 10',
        '    concurrency: 2',
        '',
      ].join('\n'),
    )
    const manager = await createManager(path)
    expect(manager.stats().providers.env!.limiter).toEqual({ rate: 5, inFlight: 0, queued: 0, pausedMs: 0 })
    await manager.close()
  })

  it('refuses limits for a provider the config does not have, and a non-boolean telemetry', async () => {
    await expect(
      createManager({ parameters: [{ type: 'env' }], limits: { 'aws-ssm': { rate: 1 } } }),
    ).rejects.toThrow(/limits names an unknown provider "aws-ssm".*/)
    await expect(
      createManager({ parameters: [{ type: 'env' }], limits: { env: { rate: -1 } } }),
    ).rejects.toThrow(ValidationError)
    await expect(createManager({ parameters: [{ type: 'env' }], telemetry: 'yes' as never })).rejects.toThrow(
      /telemetry in a config must be true or false/,
    )
  })

  it('telemetry: true in a config is accepted', async () => {
    const manager = await createManager({ parameters: [{ type: 'env' }], telemetry: true })
    expect(manager.stats().providers.env).toBeDefined()
    await manager.close()
  })
})
