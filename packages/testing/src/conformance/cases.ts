import { inspect } from 'node:util'
import {
  ConfigManager,
  ConflictError,
  entryText,
  NotFoundError,
  type PolysecretError,
  Secret,
} from '@polysecret/core'
import { expect } from 'vitest'
import { instrument } from '../instrument.js'
import { tagsCase, versionCases, watchCase } from './capability-cases.js'
import { type Case, type CaseContext, expectRefusal, managerOf, textOf } from './support.js'

export const CANARY = 'canary-Zq8vX1-conformance-value'

/** Each optional capability and the method it requires (and forbids when not declared). */
const CAPABILITY_METHODS = [
  ['list', 'list'],
  ['write', 'set'],
  ['delete', 'delete'],
  ['versions', 'versions'],
  ['batch', 'getMany'],
  ['rollback', 'rollback'],
  ['tags', 'tags'],
] as const

/** Every case, each in the form the capabilities call for. */
export function conformanceCases(ctx: CaseContext): Case[] {
  const [k1, k2, k3] = ctx.keys
  const { prefix, capabilities: caps, fresh } = ctx
  const missing = `${prefix}MISSING_KEY`
  const cases: Case[] = [
    {
      id: 'shape',
      title: 'shape: name, type, capabilities, and a method exactly for each declared capability',
      async body() {
        const p = await fresh({})
        expect(typeof p.name).toBe('string')
        expect(p.name.length).toBeGreaterThan(0)
        expect(typeof p.type).toBe('string')
        expect(typeof p.get).toBe('function')
        expect(typeof p.health).toBe('function')
        for (const [capability, method] of CAPABILITY_METHODS) {
          const declared = p.capabilities[capability] === true
          if (capability !== 'rollback' && capability !== 'tags')
            expect(typeof p.capabilities[capability], `capabilities.${capability}`).toBe('boolean')
          expect(
            typeof p[method] === 'function',
            declared
              ? `${capability} declared, so ${method}() exists`
              : `${capability} not declared, so no ${method}()`,
          ).toBe(declared)
        }
      },
    },
    {
      id: 'read',
      title: 'read: get() returns the stored value',
      async body() {
        const p = await fresh({ [k1]: 'value-one', [k2]: 'value two with spaces' })
        expect(await textOf(p, k1)).toBe('value-one')
        expect(await textOf(p, k2)).toBe('value two with spaces')
      },
    },
    {
      id: 'not-found',
      title: 'not-found: get() of a missing key resolves undefined',
      async body() {
        const p = await fresh({ [k1]: 'x' })
        await expect(p.get(missing)).resolves.toBeUndefined()
      },
    },
    {
      id: 'inspect',
      title: 'inspect: no value shows in util.inspect(provider)',
      async body() {
        const p = await fresh({ [k1]: CANARY })
        await p.get(k1)
        expect(inspect(p, { depth: 10, showHidden: true })).not.toContain(CANARY)
        expect(JSON.stringify(Object.keys(p))).not.toContain(CANARY)
      },
    },
    {
      id: 'health',
      title: 'health: a reachable store reports ok',
      async body() {
        const p = await fresh({ [k1]: 'x' })
        expect(await p.health()).toMatchObject({ ok: true })
      },
    },
    caps.list
      ? {
          id: 'list',
          title: 'list: list(prefix) and manager.list() find the keys under the prefix',
          async body() {
            const p = await fresh({ [k1]: 'a', [k2]: 'b' })
            const keys: string[] = []
            for await (const info of p.list!(prefix)) keys.push(info.key)
            expect(keys).toEqual(expect.arrayContaining([k1, k2]))
            for (const key of keys) expect(key.startsWith(prefix)).toBe(true)
            const manager = managerOf(p)
            const listed = await manager.list(prefix)
            expect(listed.map((k) => k.key)).toEqual(expect.arrayContaining([k1, k2]))
            expect(new Set(listed.map((k) => k.provider))).toEqual(new Set([p.name]))
          },
        }
      : {
          id: 'list',
          title: 'list — not declared: manager.list() and getByPrefix() find nothing in it',
          async body() {
            const p = await fresh({ [k1]: 'a', [k2]: 'b' })
            const manager = managerOf(p)
            expect(await manager.list(prefix)).toEqual([])
            expect(await manager.getByPrefix(prefix)).toEqual({ values: {}, errors: {} })
          },
        },
    {
      id: 'batch',
      title: caps.batch
        ? 'batch: getMany() answers found keys; manager.getMany() uses one getMany() call'
        : 'batch — not declared: manager.getMany() reads each key with get()',
      async body() {
        const p = await fresh({ [k1]: 'a', [k2]: 'b' })
        if (caps.batch) {
          const result = await p.getMany!([k1, k2, missing])
          const texts = Object.fromEntries([...result.entries].map(([k, e]) => [k, entryText(e.value)]))
          expect(texts).toEqual({ [k1]: 'a', [k2]: 'b' }) // a missing key is in neither map
          expect([...result.errors.keys()]).toEqual([])
        }
        const counted = instrument(p)
        const manager = new ConfigManager({ parameters: [counted.provider], cache: false })
        const { values, errors } = await manager.getMany([k1, k2, missing], { kind: 'parameter' })
        expect(values).toEqual({ [k1]: 'a', [k2]: 'b' })
        expect(Object.keys(errors)).toEqual([missing])
        expect(errors[missing]).toBeInstanceOf(NotFoundError)
        expect({ getMany: counted.calls.getMany, get: counted.calls.get }).toEqual(
          caps.batch ? { getMany: 1, get: 0 } : { getMany: 0, get: 3 },
        )
      },
    },
    caps.write
      ? {
          id: 'write',
          title: 'write: set() replaces a value and creates a key',
          async body() {
            const p = await fresh({ [k1]: 'old' })
            const info = await p.set!(k1, 'new')
            expect(info.key).toBe(k1)
            expect(await textOf(p, k1)).toBe('new')
            await p.set!(k3, 'created')
            expect(await textOf(p, k3)).toBe('created')
          },
        }
      : {
          id: 'write',
          title: 'write — not declared: manager.set() refuses with UnsupportedError(write)',
          async body() {
            const p = await fresh({ [k1]: 'old' })
            await expectRefusal(managerOf(p).set(k1, 'new', { to: p.name }), 'write')
            expect(await textOf(p, k1)).toBe('old')
          },
        },
    caps.write
      ? {
          id: 'create-only',
          title: 'create-only: set({ createOnly }) of an existing key is a ConflictError',
          async body() {
            const p = await fresh({ [k1]: 'old' })
            await expect(p.set!(k1, 'new', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
            expect(await textOf(p, k1)).toBe('old')
            await p.set!(k3, 'fresh', { createOnly: true })
            expect(await textOf(p, k3)).toBe('fresh')
          },
        }
      : {
          id: 'create-only',
          title:
            'create-only — write not declared: manager.set({ createOnly }) refuses with UnsupportedError(write)',
          async body() {
            const p = await fresh({ [k1]: 'old' })
            await expectRefusal(managerOf(p).set(k3, 'x', { to: p.name, createOnly: true }), 'write')
            expect(await p.get(k3)).toBeUndefined()
          },
        },
    ...versionCases(ctx),
    tagsCase(ctx),
    watchCase(ctx),
    {
      id: 'manager',
      title:
        'manager: a ConfigManager reads secrets wrapped, parameters plain, and names it when a key is missing',
      async body() {
        const p = await fresh({ [k1]: CANARY, [k2]: 'plain' })
        const manager = new ConfigManager({ secrets: [p], parameters: [p] })
        const secret = await manager.get(k1, { kind: 'secret' })
        expect(secret).toBeInstanceOf(Secret)
        expect((secret as Secret).reveal()).toBe(CANARY)
        expect(String(secret)).not.toContain(CANARY)
        expect(await manager.getParameter(k2)).toBe('plain')
        expect(await manager.get(missing, { optional: true })).toBeUndefined()
        const error = await manager.getParameter(missing).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(NotFoundError)
        expect(
          (error as PolysecretError & { tried: { provider: string }[] }).tried.map((t) => t.provider),
        ).toEqual([p.name])
        await manager.close()
      },
    },
  ]
  return cases
}
