/**
 * The leak canary for the observability surfaces: spans (names, attributes, status, events),
 * metrics, audit lines and `stats()`. A canary secret is read, cached, written, rotated and made to
 * appear in store error messages, over the wire; it must appear in none of them.
 */

import { Writable } from 'node:stream'
import { inspect } from 'node:util'
import { secretsManager } from '@polysecret/aws'
import { ConfigManager, Secret } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { FAKE_AWS } from './support/aws.js'
import { useLeakCanary } from './support/canary.js'
import { telemetryHarness } from './support/otel.js'

const CANARY = 'canary-5d1e8b2f-OBSERVE-ME-NOT'
const ROTATED = 'canary-rotated-9c3a7e10'

describe('observability leak canary', () => {
  const canary = useLeakCanary()
  it('spans, metrics, audit lines and stats carry keys and providers, never a value', async () => {
    await using sm = await startFake('aws-secrets-manager', { secrets: { DB_PASSWORD: CANARY } })
    const { spans, tracerProvider, reader, meterProvider } = telemetryHarness()
    const audit: string[] = []
    const stream = new Writable({
      write(chunk, _encoding, done) {
        audit.push(String(chunk))
        done()
      },
    })
    let now = 0
    const manager = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
      allowWrites: true,
      cache: { ttl: 10, staleWhileRevalidate: 1_000, now: () => now },
      retry: { random: () => 0, baseDelay: 1, retries: 1 },
      limits: { 'aws-secrets-manager': { rate: 1_000, concurrency: 4 } },
      telemetry: { tracerProvider, meterProvider },
      audit: { logger: pino(stream), caller: 'canary-test' },
    })
    const attempt = (fn: () => Promise<unknown>) => fn().catch(() => undefined)

    await attempt(() => manager.get('DB_PASSWORD'))
    await attempt(() => manager.get('DB_PASSWORD'))
    now = 100
    await attempt(() => manager.getWithMetadata('DB_PASSWORD')) // stale + background refresh
    await attempt(() => manager.getMany(['DB_PASSWORD', 'OTHER_SECRET']))
    await attempt(() => manager.set('NEW_SECRET', new Secret(CANARY)))
    await attempt(() => manager.rotate('DB_PASSWORD', { value: ROTATED }))
    // Store errors whose text quotes the value: throttled, denied, failing.
    sm.faults.throttle(1, { operations: ['GetSecretValue'], times: 1 })
    await attempt(() => manager.get('DB_PASSWORD', { fresh: true }))
    sm.faults.errorRate(1, {
      status: 400,
      type: 'AccessDeniedException',
      message: `denied for ${CANARY}`,
      times: 2,
    })
    await attempt(() => manager.get('DB_PASSWORD', { fresh: true }))
    sm.faults.errorRate(1, { status: 500, message: `boom ${ROTATED}`, times: 4 })
    await attempt(() => manager.get('DB_PASSWORD', { fresh: true }))
    await attempt(() => manager.set('DB_PASSWORD', ROTATED))
    await attempt(() => manager.versions('DB_PASSWORD'))
    await attempt(() => manager.list())
    await manager.health()
    await new Promise((resolve) => setImmediate(resolve))

    const seen = [
      inspect(
        spans.getFinishedSpans().map((s) => ({
          name: s.name,
          attributes: s.attributes,
          status: s.status,
          events: s.events,
          links: s.links,
        })),
        { depth: 20 },
      ),
      JSON.stringify(await reader.metrics()),
      ...audit,
      JSON.stringify(manager.stats()),
      inspect(manager.stats(), { depth: 20 }),
    ].join('\n')
    // The surfaces did see the traffic (so the canary's absence means something)…
    expect(spans.getFinishedSpans().length).toBeGreaterThan(10)
    expect(audit.length).toBeGreaterThan(8)
    expect(seen).toContain('DB_PASSWORD')
    expect(seen).toContain('THROTTLED')
    expect(seen).toContain('ACCESS_DENIED')
    // …and never a value.
    canary.see('spans, metrics, audit lines and stats', seen)
    canary.expectNoLeak([CANARY, ROTATED])
    expect(seen).not.toContain(CANARY)
    expect(seen).not.toContain(ROTATED)
    await manager.close()
  })
})
