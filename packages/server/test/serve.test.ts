import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ValidationError } from '@polysecret/core'
import { afterEach, describe, expect, it } from 'vitest'
import { loadServeOptions, serve } from '../src/index.js'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c()
})

async function dir() {
  const d = await mkdtemp(join(tmpdir(), 'polysecret-serve-'))
  cleanup.push(() => rm(d, { recursive: true, force: true }))
  return d
}

describe('serve(): what `polysecret serve` runs', () => {
  it('builds the manager from a config, listens, and counts provider calls from its events', async () => {
    const d = await dir()
    await writeFile(join(d, '.env'), 'API_TOKEN=t-1\nLOG_LEVEL=info\n')
    const server = await serve({
      config: {
        secrets: [{ type: 'dotenv', path: join(d, '.env') }],
        parameters: [{ type: 'dotenv', path: join(d, '.env') }],
      },
      port: 0,
      audit: false,
      handleSignals: false,
    })
    cleanup.push(() => server.close())
    const res = await fetch(`${server.url}/v1/secrets/API_TOKEN`)
    expect(await res.json()).toMatchObject({ value: 't-1', kind: 'secret', provider: 'dotenv' })
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toContain('polysecret_provider_calls_total{provider="dotenv",operation="get"} 1')
  })

  it('reads server options from YAML and validates them', async () => {
    const d = await dir()
    await writeFile(join(d, 'server.yaml'), 'host: 127.0.0.1\nport: 7373\nrateLimit:\n  rate: 5\n')
    expect(await loadServeOptions(join(d, 'server.yaml'))).toEqual({
      host: '127.0.0.1',
      port: 7373,
      rateLimit: { rate: 5 },
    })
    await writeFile(join(d, 'bad.yaml'), 'port: 99999\n')
    await expect(loadServeOptions(join(d, 'bad.yaml'))).rejects.toThrow(/port must be/)
    await expect(loadServeOptions(join(d, 'missing.yaml'))).rejects.toThrow(ValidationError)
  })
})
