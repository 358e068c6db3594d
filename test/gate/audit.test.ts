/**
 * The audit hook with a real pino logger writing JSON lines to a stream: who, what, when and how for
 * every access and write — and never the value.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { Writable } from 'node:stream'
import { secretsManager } from '@polysecret/aws'
import { ConfigManager, ValidationError } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { FAKE_AWS } from '../support/aws.js'

function capture() {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
      done()
    },
  })
  return { lines, logger: pino({ base: undefined }, stream) }
}

describe('audit', () => {
  it('logs every access and write as one pino line, with the caller, never the value', async () => {
    await using sm = await startFake('aws-secrets-manager', { secrets: { DB_PASSWORD: 'audit-value-1' } })
    const { lines, logger } = capture()
    const request = new AsyncLocalStorage<string>()
    const manager = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
      allowWrites: true,
      audit: { logger, caller: () => request.getStore() },
    })
    await request.run('user:alice', () => manager.get('DB_PASSWORD'))
    await request.run('user:alice', () => manager.get('DB_PASSWORD'))
    await request.run('job:rotate', () => manager.set('DB_PASSWORD', 'audit-value-2'))
    await manager.get('MISSING_TOKEN').catch(() => undefined)
    sm.faults.errorRate(1, { status: 400, type: 'AccessDeniedException', message: 'denied', times: 1 })
    await manager.get('API_TOKEN').catch(() => undefined)
    await manager.close()

    expect(lines).toHaveLength(5)
    const [miss, hit, write, missing, denied] = lines
    expect(miss).toMatchObject({
      level: 30,
      msg: 'polysecret get DB_PASSWORD: miss',
      audit: 'polysecret',
      operation: 'get',
      key: 'DB_PASSWORD',
      kind: 'secret',
      provider: 'aws-secrets-manager',
      outcome: 'miss',
      cache: 'miss',
      caller: 'user:alice',
    })
    expect(typeof miss!.version).toBe('string')
    expect(typeof miss!.latencyMs).toBe('number')
    expect(Date.parse(miss!.at as string)).not.toBeNaN()
    expect(hit).toMatchObject({
      outcome: 'hit',
      cache: 'fresh',
      caller: 'user:alice',
      version: miss!.version,
    })
    expect(write).toMatchObject({
      operation: 'set',
      outcome: 'ok',
      caller: 'job:rotate',
      provider: 'aws-secrets-manager',
    })
    expect(write!.version).not.toBe(miss!.version)
    // Not-found is an answer (info); a failure logs at warn with its code. No caller was set here.
    expect(missing).toMatchObject({
      level: 30,
      key: 'MISSING_TOKEN',
      outcome: 'not-found',
      errorCode: 'NOT_FOUND',
    })
    expect(missing).not.toHaveProperty('caller')
    expect(denied).toMatchObject({
      level: 40,
      key: 'API_TOKEN',
      outcome: 'error',
      errorCode: 'ACCESS_DENIED',
    })
    const text = JSON.stringify(lines)
    expect(text).not.toContain('audit-value-1')
    expect(text).not.toContain('audit-value-2')
  })

  it('takes any { info(obj, msg) } and a fixed caller', async () => {
    const seen: [object, string | undefined][] = []
    const manager = new ConfigManager({
      parameters: [(await import('@polysecret/core')).memory({ APP_PORT: '8080' })],
      audit: { logger: { info: (obj, msg) => void seen.push([obj, msg]) }, caller: 'billing-service' },
    })
    await manager.get('APP_PORT')
    expect(seen).toEqual([
      [
        expect.objectContaining({ key: 'APP_PORT', outcome: 'miss', caller: 'billing-service' }),
        'polysecret get APP_PORT: miss',
      ],
    ])
  })

  it('refuses a logger without info()', () => {
    expect(() => new ConfigManager({ audit: { logger: {} as never } })).toThrow(ValidationError)
    expect(() => new ConfigManager({ audit: {} as never })).toThrow(/audit needs a logger with info/)
  })
})
