/**
 * Claims the docs make about behaviour, checked against the code, so the two cannot drift apart:
 * the classification table's default rows (docs/concepts.md) and which errors carry `provider`,
 * `cause` and `tried` (docs/api.md).
 */
import { readFileSync } from 'node:fs'
import { secretsManager } from '@polysecret/aws'
import {
  AccessDeniedError,
  ConfigManager,
  env,
  memory,
  NotFoundError,
  ReadOnlyError,
  UnsupportedError,
  ValidationError,
} from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { describe, expect, it } from 'vitest'

const concepts = readFileSync(new URL('../docs/concepts.md', import.meta.url), 'utf8')

/** The default rows (5a–5d) of the classification table: example keys, kind, reason of the first. */
function defaultRows() {
  return concepts
    .split('\n')
    .filter((line) => /^\|\s*5[a-z]\s*\|/.test(line))
    .map((line) => {
      const cells = line.split('|').map((c) => c.trim())
      const examples = [...cells[3]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)
      return { row: cells[1]!, examples, kind: cells[4]!, reason: cells[5]!.replace(/`/g, '') }
    })
}

describe('docs/concepts.md: the default classification rows say what classify() does', () => {
  const rows = defaultRows()
  it('the table has its four default rows', () => {
    expect(rows.map((r) => r.row)).toEqual(['5a', '5b', '5c', '5d'])
  })
  it.each(rows)('row $row: $examples → $kind ($reason)', ({ examples, kind, reason }) => {
    const manager = new ConfigManager()
    for (const key of examples) expect(manager.classify(key).kind, key).toBe(kind)
    expect(manager.classify(examples[0]!).reason).toBe(reason)
  })
})

describe('docs/api.md: which errors carry provider, cause and tried', () => {
  it('a store failure carries the provider and the scrubbed SDK error as cause', async () => {
    await using sm = await startFake('aws-secrets-manager', { secrets: { DB_PASSWORD: 'v' } })
    sm.faults.errorRate(1, { status: 400, type: 'AccessDeniedException', message: 'denied' })
    const manager = new ConfigManager({
      secrets: [
        secretsManager({
          region: 'us-east-1',
          endpoint: sm.endpoint,
          maxAttempts: 1,
          credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
        }),
      ],
    })
    const error = await manager.get('DB_PASSWORD').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AccessDeniedError)
    expect(error).toMatchObject({ key: 'DB_PASSWORD', provider: 'aws-secrets-manager' })
    expect((error as Error).cause).toMatchObject({ name: 'AccessDeniedException' })
    await manager.close()
  })
  it('an answer of the chain as a whole has no provider of its own; tried lists each', async () => {
    const manager = new ConfigManager({
      secrets: [memory({}, { name: 'a' }), memory({}, { name: 'b' })],
    })
    const error = await manager.get('DB_PASSWORD').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NotFoundError)
    expect(error).toMatchObject({ key: 'DB_PASSWORD', provider: undefined })
    expect((error as Error).cause).toBeUndefined()
    expect((error as NotFoundError).tried).toEqual([
      { provider: 'a', outcome: 'not-found' },
      { provider: 'b', outcome: 'not-found' },
    ])
  })
  it('problems polysecret finds itself have no cause', async () => {
    const manager = new ConfigManager({ secrets: [memory({}, { name: 'm' })] })
    const invalid = await manager.get('').catch((e: unknown) => e)
    expect(invalid).toBeInstanceOf(ValidationError)
    expect(invalid).toMatchObject({ key: undefined, provider: undefined })
    const readOnly = await manager.set('DB_PASSWORD', 'x').catch((e: unknown) => e)
    expect(readOnly).toBeInstanceOf(ReadOnlyError)
    expect(readOnly).toMatchObject({ key: 'DB_PASSWORD', provider: 'm' })
    const unwatchable = await new ConfigManager({ secrets: [env({ env: { DB_PASSWORD: 'x' } })] })
      .watch(['DB_PASSWORD'], () => {})
      .catch((e: unknown) => e)
    expect(unwatchable).toBeInstanceOf(UnsupportedError)
    expect(unwatchable).toMatchObject({ key: 'DB_PASSWORD', provider: 'env', capability: 'watch' })
    for (const error of [invalid, readOnly, unwatchable]) expect((error as Error).cause).toBeUndefined()
  })
})
