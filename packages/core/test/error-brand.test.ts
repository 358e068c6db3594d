/**
 * Error identity across copies of core. A second copy is the same source loaded again into a fresh
 * module registry — what an app gets when it requires the CommonJS build and a provider package imports
 * the ESM build: equal code, different classes.
 */
import { describe, expect, it, vi } from 'vitest'
import * as core from '../src/index.js'

async function otherCopy(): Promise<typeof core> {
  vi.resetModules()
  return (await import('../src/index.js')) as typeof core
}

/** A provider whose every read throws the given error. */
function failing(name: string, error: Error): core.Provider {
  return {
    name,
    type: 'failing',
    capabilities: core.READ_ONLY,
    get: async () => {
      throw error
    },
    health: async () => ({ ok: false }),
  }
}

describe('error identity across copies of core', () => {
  it('the copies really are different classes', async () => {
    const other = await otherCopy()
    expect(other.AccessDeniedError).not.toBe(core.AccessDeniedError)
    expect(Object.getPrototypeOf(new other.AccessDeniedError())).not.toBe(core.AccessDeniedError.prototype)
  })

  it('instanceof matches the class of the same code, from either side', async () => {
    const other = await otherCopy()
    const classes = [
      'NotFoundError',
      'AccessDeniedError',
      'ThrottledError',
      'UnavailableError',
      'ConflictError',
      'ReadOnlyError',
      'UnsupportedError',
      'IntegrityError',
    ] as const
    const ours = { ...core }
    for (const name of classes) {
      const theirs = new other[name]()
      expect(theirs).toBeInstanceOf(ours[name])
      expect(theirs).toBeInstanceOf(core.PolysecretError)
      expect(new ours[name]()).toBeInstanceOf(other[name])
      for (const different of classes.filter((c) => c !== name)) {
        expect(theirs instanceof ours[different]).toBe(false)
      }
    }
    expect(new other.ValidationError('bad')).toBeInstanceOf(core.ValidationError)
    expect(new other.ConfigValidationError([])).toBeInstanceOf(core.ConfigValidationError)
    expect(new other.WriteError({ key: 'K', results: [] })).toBeInstanceOf(core.WriteError)
    expect(core.isPolysecretError(new other.IntegrityError())).toBe(true)
  })

  it('an error of your own is not a polysecret error, whatever its code', () => {
    const lookalike = Object.assign(new Error('denied'), { code: 'ACCESS_DENIED', retryable: false })
    expect(lookalike instanceof core.AccessDeniedError).toBe(false)
    expect(core.isPolysecretError(lookalike)).toBe(false)
    expect(core.isPolysecretError(undefined)).toBe(false)
    expect(core.isPolysecretError('ACCESS_DENIED')).toBe(false)
  })

  it('a subclass keeps its parents, and stays itself only for its own copy', async () => {
    class Custom extends core.UnavailableError {}
    const custom = new Custom()
    expect(custom).toBeInstanceOf(Custom)
    expect(custom).toBeInstanceOf(core.UnavailableError)
    const other = await otherCopy()
    expect(custom).toBeInstanceOf(other.UnavailableError)
    expect(new core.UnavailableError() instanceof Custom).toBe(false)
  })

  it("the manager's fallback decisions hold for another copy's errors: never past access-denied", async () => {
    const other = await otherCopy()
    const fallback = core.memory({ DB_PASSWORD: 'local' }, { name: 'local' })
    const manager = new core.ConfigManager({
      secrets: [failing('cloud', new other.AccessDeniedError({ key: 'DB_PASSWORD' })), fallback],
      retry: false,
    })
    const error = await manager.get('DB_PASSWORD').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(core.AccessDeniedError)
    expect((error as core.AccessDeniedError).code).toBe('ACCESS_DENIED')
    expect((error as core.AccessDeniedError).provider).toBe('cloud')
  })

  it("…and move on past another copy's unavailability", async () => {
    const other = await otherCopy()
    const manager = new core.ConfigManager({
      secrets: [
        failing('cloud', new other.UnavailableError()),
        core.memory({ DB_PASSWORD: 'local' }, { name: 'local' }),
      ],
      retry: false,
    })
    const read = await manager.getWithMetadata('DB_PASSWORD')
    expect(read.provider).toBe('local')
    expect(read.tried).toContainEqual(expect.objectContaining({ provider: 'cloud', code: 'UNAVAILABLE' }))
  })

  it("retries another copy's retryable errors", async () => {
    const other = await otherCopy()
    let calls = 0
    const flaky: core.Provider = {
      ...failing('cloud', new Error('unused')),
      get: async () => {
        calls++
        if (calls === 1) throw new other.ThrottledError({ retryAfterMs: 0 })
        return { value: 'v', version: '1' }
      },
    }
    const manager = new core.ConfigManager({ secrets: [flaky], retry: { retries: 1, baseDelay: 0 } })
    expect(((await manager.get('DB_PASSWORD')) as core.Secret).reveal()).toBe('v')
    expect(calls).toBe(2)
  })
})
