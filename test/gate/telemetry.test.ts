/**
 * OpenTelemetry with the real SDK's in-memory exporters over real reads and writes against the AWS
 * fake: which spans and metrics come out, how they nest, and what their attributes say.
 */

import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { secretsManager } from '@polysecret/aws'
import { ConfigManager } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_AWS } from '../support/aws.js'
import { points, telemetryHarness } from '../support/otel.js'

describe('OpenTelemetry', () => {
  const contextManager = new AsyncLocalStorageContextManager()
  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable())
  })
  afterAll(() => {
    context.disable()
  })

  it('spans a read with its provider call nested inside, and a write; metrics count calls and cache results', async () => {
    await using sm = await startFake('aws-secrets-manager', { secrets: { DB_PASSWORD: 'p4ss' } })
    const { spans, tracerProvider, reader, meterProvider } = telemetryHarness()
    const manager = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
      allowWrites: true,
      retry: { random: () => 0, baseDelay: 1 },
      telemetry: { tracerProvider, meterProvider },
    })
    sm.faults.throttle(1, { operations: ['GetSecretValue'], times: 1 })
    await manager.get('DB_PASSWORD') // throttled, retried: two provider calls under one read
    await manager.get('DB_PASSWORD') // cached: no span (the fast path), counted as a cache hit
    await manager.set('DB_PASSWORD', 'n3w-p4ss')

    const finished = spans.getFinishedSpans()
    const read = finished.find((s) => s.name === 'polysecret.get')!
    expect(read.attributes).toEqual({
      'polysecret.key': 'DB_PASSWORD',
      'polysecret.cache.result': 'miss',
      'polysecret.provider.name': 'aws-secrets-manager',
      'polysecret.kind': 'secret',
    })
    const calls = finished.filter((s) => s.name === 'polysecret.provider get')
    expect(calls).toHaveLength(2)
    for (const call of calls) expect(call.parentSpanContext?.spanId).toBe(read.spanContext().spanId)
    expect(calls[0]!.attributes).toMatchObject({
      'polysecret.provider.name': 'aws-secrets-manager',
      'polysecret.provider.type': 'aws-secrets-manager',
      'polysecret.operation': 'get',
      'polysecret.key': 'DB_PASSWORD',
      'error.type': 'THROTTLED',
    })
    expect(calls[0]!.status.code).toBe(2) // ERROR
    expect(calls[1]!.attributes['polysecret.retry.attempt']).toBe(1)
    expect(calls[1]!.attributes['error.type']).toBeUndefined()
    const write = finished.find((s) => s.name === 'polysecret.set')!
    expect(write.attributes).toEqual({ 'polysecret.key': 'DB_PASSWORD' })
    const put = finished.find((s) => s.name === 'polysecret.provider set')!
    expect(put.parentSpanContext?.spanId).toBe(write.spanContext().spanId)

    const base = {
      'polysecret.provider.name': 'aws-secrets-manager',
      'polysecret.provider.type': 'aws-secrets-manager',
    }
    expect(await points(reader, 'polysecret.provider.calls')).toEqual(
      expect.arrayContaining([
        {
          attributes: {
            ...base,
            'polysecret.operation': 'get',
            'error.type': 'THROTTLED',
            'polysecret.outcome': 'throttled',
          },
          value: 1,
        },
        { attributes: { ...base, 'polysecret.operation': 'get', 'polysecret.outcome': 'ok' }, value: 1 },
        { attributes: { ...base, 'polysecret.operation': 'set', 'polysecret.outcome': 'ok' }, value: 1 },
      ]),
    )
    const durations = await points(reader, 'polysecret.provider.call.duration')
    expect(durations.reduce((n, p) => n + p.value, 0)).toBe(
      manager.stats().providers['aws-secrets-manager']!.calls.get! + 1,
    )
    expect(await points(reader, 'polysecret.cache.results')).toEqual(
      expect.arrayContaining([
        { attributes: { 'polysecret.cache.result': 'hit' }, value: 1 },
        { attributes: { 'polysecret.cache.result': 'miss' }, value: 1 },
        { attributes: { 'polysecret.cache.result': 'stale' }, value: 0 },
      ]),
    )
    await manager.close()
  })

  it('a background refresh gets its own span', async () => {
    await using sm = await startFake('aws-secrets-manager', { secrets: { DB_PASSWORD: 'p4ss' } })
    const { spans, tracerProvider, meterProvider } = telemetryHarness()
    let now = 0
    const manager = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
      cache: { ttl: 10, staleWhileRevalidate: 1_000, now: () => now },
      telemetry: { tracerProvider, meterProvider },
    })
    await manager.get('DB_PASSWORD')
    now = 100
    const stale = await manager.getWithMetadata('DB_PASSWORD')
    expect(stale.stale).toBe(true)
    await expect.poll(() => spans.getFinishedSpans().some((s) => s.name === 'polysecret.refresh')).toBe(true)
    const refresh = spans.getFinishedSpans().find((s) => s.name === 'polysecret.refresh')!
    expect(refresh.attributes).toEqual({ 'polysecret.key': 'DB_PASSWORD' })
    await expect
      .poll(
        () =>
          spans.getFinishedSpans().filter((s) => s.parentSpanContext?.spanId === refresh.spanContext().spanId)
            .length,
      )
      .toBe(1)
    await manager.close()
  })
})
