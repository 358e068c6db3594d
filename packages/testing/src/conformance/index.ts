import { inspect } from 'node:util'
import {
  ConfigManager,
  ConflictError,
  entryText,
  PolysecretError,
  type Provider,
  Secret,
  UnsupportedError,
} from '@polysecret/core'
import { afterEach, describe, expect, it } from 'vitest'

/** Names of the conformance cases, for `skip` (each skip needs a written reason). */
export type ConformanceCase =
  | 'shape'
  | 'read'
  | 'not-found'
  | 'inspect'
  | 'health'
  | 'list'
  | 'batch'
  | 'write'
  | 'create-only'
  | 'if-version'
  | 'delete'
  | 'versions'
  | 'rollback'
  | 'watch'
  | 'manager'

/** A provider under test: how to make a fresh one holding given keys. */
export interface ConformanceTarget {
  /** Shown in the test names. */
  readonly name: string
  /**
   * A fresh provider whose store holds exactly `seed` (plus nothing that collides with its keys). Seed
   * through the store itself — a fake server, a file — not through the provider, where you can.
   */
  create(
    seed: Readonly<Record<string, string>>,
  ): Promise<{ provider: Provider; cleanup?: () => Promise<void> | void }>
  /** Cases this provider cannot run, each with the reason. */
  readonly skip?: Partial<Record<ConformanceCase, string>>
  /** Keys to use; stores with naming rules can change them. @default ['APP_ALPHA', 'APP_BETA', 'APP_GAMMA'] */
  readonly keys?: readonly [string, string, string]
  /** Prefix shared by `keys`, for list tests. @default 'APP_' */
  readonly prefix?: string
}

const CANARY = 'canary-Zq8vX1-conformance-value'

const CAPABILITY_METHODS = [
  ['list', 'list'],
  ['write', 'set'],
  ['delete', 'delete'],
  ['versions', 'versions'],
  ['batch', 'getMany'],
] as const

/**
 * The provider contract as tests: every provider — ours and yours — runs these against its store
 * (a wire-level fake for cloud providers). Cases that need a capability the provider does not declare
 * instead check that the manager refuses the operation; a case can only be skipped with a written reason.
 *
 * @example
 * ```ts
 * import { runProviderConformance } from '@polysecret/testing/conformance'
 * runProviderConformance({ name: 'memory', create: async (seed) => ({ provider: memory(seed) }) })
 * ```
 */
export function runProviderConformance(target: ConformanceTarget): void {
  const [k1, k2, k3] = target.keys ?? ['APP_ALPHA', 'APP_BETA', 'APP_GAMMA']
  const prefix = target.prefix ?? 'APP_'
  const cleanups: (() => Promise<void> | void)[] = []

  async function fresh(seed: Record<string, string>): Promise<Provider> {
    const { provider, cleanup } = await target.create(seed)
    if (cleanup) cleanups.push(cleanup)
    return provider
  }

  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  /**
   * The manager's answer when a case's capability is not declared: instead of skipping, check that
   * the provider really lacks it and that the manager refuses the operation with `UnsupportedError`.
   */
  async function checkAbsent(p: Provider, missing: readonly (keyof Provider['capabilities'])[]) {
    const manager = new ConfigManager({ secrets: [p], allowWrites: true })
    for (const capability of missing) {
      expect(p.capabilities[capability], `capabilities.${capability}`).toBeFalsy()
      const refusal: Partial<Record<keyof Provider['capabilities'], () => Promise<unknown>>> = {
        write: () => manager.set(k1, 'x', { to: p.name }),
        delete: () => manager.delete(k1, { to: p.name }),
        versions: () => manager.versions(k1, { provider: p.name }),
      }
      const attempt = refusal[capability]
      if (attempt) {
        const error = await attempt().catch((e: unknown) => e)
        expect(error, `${capability} without the capability`).toBeInstanceOf(UnsupportedError)
        expect((error as UnsupportedError).capability).toBe(capability)
      }
    }
    await manager.close()
  }

  /** Registers a case. A target may skip one only with a written reason. */
  function test(
    name: ConformanceCase,
    needs: readonly (keyof Provider['capabilities'])[],
    body: () => Promise<void>,
  ) {
    const reason = target.skip?.[name]
    if (reason !== undefined && (typeof reason !== 'string' || reason.trim() === '')) {
      throw new Error(`Conformance skip of "${name}" needs a written reason.`)
    }
    it(name, async (context) => {
      if (reason) return context.skip(reason)
      if (needs.length) {
        const probe = await fresh({ [k1]: 'x' })
        const missing = needs.filter((c) => !probe.capabilities[c])
        if (missing.length) return checkAbsent(probe, missing)
      }
      await body()
    })
  }

  describe(`provider conformance: ${target.name}`, () => {
    test('shape', [], async () => {
      const p = await fresh({})
      expect(typeof p.name).toBe('string')
      expect(p.name.length).toBeGreaterThan(0)
      expect(typeof p.type).toBe('string')
      expect(typeof p.get).toBe('function')
      expect(typeof p.health).toBe('function')
      for (const [capability, method] of CAPABILITY_METHODS) {
        expect(typeof p.capabilities[capability], `capabilities.${capability}`).toBe('boolean')
        if (p.capabilities[capability])
          expect(typeof p[method], `${capability} declared, so ${method}() exists`).toBe('function')
      }
      if (p.capabilities.rollback) expect(typeof p.rollback).toBe('function')
    })

    test('read', [], async () => {
      const p = await fresh({ [k1]: 'value-one', [k2]: 'value two with spaces' })
      const entry = await p.get(k1)
      expect(entry).toBeDefined()
      expect(entryText(entry!.value)).toBe('value-one')
      expect(entryText((await p.get(k2))!.value)).toBe('value two with spaces')
    })

    test('not-found', [], async () => {
      const p = await fresh({ [k1]: 'x' })
      await expect(p.get(`${prefix}MISSING_KEY`)).resolves.toBeUndefined()
    })

    test('inspect', [], async () => {
      const p = await fresh({ [k1]: CANARY })
      await p.get(k1)
      expect(inspect(p, { depth: 10, showHidden: true })).not.toContain(CANARY)
      expect(JSON.stringify(Object.keys(p))).not.toContain(CANARY)
    })

    test('health', [], async () => {
      const p = await fresh({})
      const health = await p.health()
      expect(typeof health.ok).toBe('boolean')
    })

    test('list', ['list'], async () => {
      const p = await fresh({ [k1]: 'a', [k2]: 'b' })
      const keys: string[] = []
      for await (const info of p.list!(prefix)) keys.push(info.key)
      expect(keys).toEqual(expect.arrayContaining([k1, k2]))
      for (const key of keys) expect(key.startsWith(prefix)).toBe(true)
    })

    test('batch', ['batch'], async () => {
      const p = await fresh({ [k1]: 'a', [k2]: 'b' })
      const result = await p.getMany!([k1, k2, `${prefix}NOPE`])
      expect(entryText(result.entries.get(k1)!.value)).toBe('a')
      expect(entryText(result.entries.get(k2)!.value)).toBe('b')
      expect(result.entries.has(`${prefix}NOPE`)).toBe(false)
      expect(result.errors.has(`${prefix}NOPE`)).toBe(false)
    })

    test('write', ['write'], async () => {
      const p = await fresh({ [k1]: 'old' })
      const info = await p.set!(k1, 'new')
      expect(info.key).toBe(k1)
      expect(entryText((await p.get(k1))!.value)).toBe('new')
      await p.set!(k3, 'created')
      expect(entryText((await p.get(k3))!.value)).toBe('created')
    })

    test('create-only', ['write'], async () => {
      const p = await fresh({ [k1]: 'old' })
      await expect(p.set!(k1, 'new', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
      expect(entryText((await p.get(k1))!.value)).toBe('old')
      await p.set!(k3, 'fresh', { createOnly: true })
      expect(entryText((await p.get(k3))!.value)).toBe('fresh')
    })

    test('if-version', ['write', 'versions'], async () => {
      const p = await fresh({ [k1]: 'v1' })
      const current = (await p.get(k1))!.version!
      expect(current).toBeTruthy()
      const written = await p.set!(k1, 'v2', { ifVersion: current })
      await expect(p.set!(k1, 'v3', { ifVersion: current })).rejects.toBeInstanceOf(ConflictError)
      expect(entryText((await p.get(k1))!.value)).toBe('v2')
      expect(written.version).not.toBe(current)
    })

    test('delete', ['delete'], async () => {
      const p = await fresh({ [k1]: 'a', [k2]: 'b' })
      await p.delete!(k1, { force: true })
      expect(await p.get(k1)).toBeUndefined()
      expect(entryText((await p.get(k2))!.value)).toBe('b')
    })

    test('versions', ['write', 'versions'], async () => {
      const p = await fresh({ [k1]: 'first' })
      await p.set!(k1, 'second')
      const versions = await p.versions!(k1)
      expect(versions.length).toBeGreaterThanOrEqual(2)
      expect(versions.filter((v) => v.current)).toHaveLength(1)
      const current = versions.find((v) => v.current)!
      const old = versions.find((v) => !v.current)!
      expect(entryText((await p.get(k1, { version: current.version }))!.value)).toBe('second')
      expect(entryText((await p.get(k1, { version: old.version }))!.value)).toBe('first')
      expect((await p.get(k1))!.version).toBe(current.version)
    })

    test('rollback', ['write', 'versions', 'rollback'], async () => {
      const p = await fresh({ [k1]: 'first' })
      await p.set!(k1, 'second')
      const old = (await p.versions!(k1)).find((v) => !v.current)!
      await p.rollback!(k1, old.version)
      expect(entryText((await p.get(k1))!.value)).toBe('first')
    })

    test('watch', ['write', 'watch'], async () => {
      const p = await fresh({ [k1]: 'first' })
      const before = (await p.get(k1))!.version
      expect(before).toBeTruthy()
      await p.set!(k1, 'second')
      expect((await p.get(k1))!.version).not.toBe(before)
    })

    test('manager', [], async () => {
      const p = await fresh({ [k1]: CANARY, [k2]: 'plain' })
      const manager = new ConfigManager({ secrets: [p], parameters: [p] })
      const secret = await manager.get(k1, { kind: 'secret' })
      expect(secret).toBeInstanceOf(Secret)
      expect((secret as Secret).reveal()).toBe(CANARY)
      expect(String(secret)).not.toContain(CANARY)
      expect(await manager.getParameter(k2)).toBe('plain')
      const missing = await manager.get(`${prefix}MISSING`, { optional: true })
      expect(missing).toBeUndefined()
      const error = await manager.getParameter(`${prefix}MISSING`).catch((e) => e)
      expect(error).toBeInstanceOf(PolysecretError)
      expect(error.tried.map((t: { provider: string }) => t.provider)).toContain(p.name)
      await manager.close()
    })
  })
}
