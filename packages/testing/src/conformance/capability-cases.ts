import { ConfigManager, ConflictError, type Provider } from '@polysecret/core'
import { expect } from 'vitest'
import { instrument } from '../instrument.js'
import { type Case, type CaseContext, expectRefusal, managerOf, textOf } from './support.js'

const NEVER_A_VERSION = 'conformance-version-that-never-was'

/** if-version, delete, versions and rollback: the cases that depend on writes and history. */
export function versionCases(ctx: CaseContext): Case[] {
  const [k1, k2] = ctx.keys
  const { capabilities: caps, fresh } = ctx
  const ifVersion: Case = caps.write
    ? {
        id: 'if-version',
        title:
          'if-version: set/delete with a stale version are ConflictErrors; with the current one, set writes',
        async body(note) {
          const p = await fresh({ [k1]: 'v1' })
          await expect(p.set!(k1, 'x', { ifVersion: NEVER_A_VERSION })).rejects.toBeInstanceOf(ConflictError)
          if (caps.delete)
            await expect(p.delete!(k1, { ifVersion: NEVER_A_VERSION, force: true })).rejects.toBeInstanceOf(
              ConflictError,
            )
          expect(await textOf(p, k1)).toBe('v1')
          const current = (await p.get(k1))!.version
          if (current === undefined) {
            // A store that reports no version cannot confirm one: every ifVersion is a conflict.
            await note('get() reports no version: only the refusal of a stale version was checked')
            return
          }
          const written = await p.set!(k1, 'v2', { ifVersion: current })
          expect(written.version).not.toBe(current)
          await expect(p.set!(k1, 'v3', { ifVersion: current })).rejects.toBeInstanceOf(ConflictError)
          expect(await textOf(p, k1)).toBe('v2')
        },
      }
    : {
        id: 'if-version',
        title:
          'if-version — write not declared: manager.set({ ifVersion }) refuses with UnsupportedError(write)',
        async body() {
          const p = await fresh({ [k1]: 'v1' })
          const current = (await p.get(k1))!.version ?? NEVER_A_VERSION
          await expectRefusal(managerOf(p).set(k1, 'v2', { to: p.name, ifVersion: current }), 'write')
          expect(await textOf(p, k1)).toBe('v1')
        },
      }

  const remove: Case = caps.delete
    ? {
        id: 'delete',
        title: 'delete: delete() removes one key and leaves the others',
        async body() {
          const p = await fresh({ [k1]: 'a', [k2]: 'b' })
          await p.delete!(k1, { force: true })
          expect(await p.get(k1)).toBeUndefined()
          expect(await textOf(p, k2)).toBe('b')
        },
      }
    : {
        id: 'delete',
        title: 'delete — not declared: manager.delete() refuses with UnsupportedError(delete)',
        async body() {
          const p = await fresh({ [k1]: 'a' })
          await expectRefusal(managerOf(p).delete(k1, { to: p.name }), 'delete')
          expect(await textOf(p, k1)).toBe('a')
        },
      }

  const versions: Case = !caps.versions
    ? {
        id: 'versions',
        title: 'versions — not declared: manager.versions() refuses with UnsupportedError(versions)',
        async body() {
          const p = await fresh({ [k1]: 'first' })
          await expectRefusal(managerOf(p).versions(k1, { provider: p.name }), 'versions')
        },
      }
    : caps.write
      ? {
          id: 'versions',
          title: 'versions: a write adds a version; each version reads back its own value',
          async body() {
            const p = await fresh({ [k1]: 'first' })
            await p.set!(k1, 'second')
            const list = await p.versions!(k1)
            expect(list.length).toBeGreaterThanOrEqual(2)
            expect(list.filter((v) => v.current)).toHaveLength(1)
            const current = list.find((v) => v.current)!
            const old = list.find((v) => !v.current)!
            expect(entryOf(await p.get(k1, { version: current.version }))).toBe('second')
            expect(entryOf(await p.get(k1, { version: old.version }))).toBe('first')
            expect((await p.get(k1))!.version).toBe(current.version)
          },
        }
      : {
          id: 'versions',
          title: 'versions — without write: versions() lists the current version, which reads back',
          async body() {
            const p = await fresh({ [k1]: 'first' })
            const list = await p.versions!(k1)
            expect(list.filter((v) => v.current)).toHaveLength(1)
            const current = list.find((v) => v.current)!
            expect(entryOf(await p.get(k1, { version: current.version }))).toBe('first')
          },
        }

  return [ifVersion, remove, versions, rollbackCase(ctx)]
}

function entryOf(entry: { value: string | Uint8Array } | undefined): string | undefined {
  return entry === undefined ? undefined : Buffer.from(entry.value).toString('utf8')
}

/** Writes a second version and rolls back to the first through the manager, counting provider calls. */
async function rollBack(p: Provider, key: string) {
  await p.set!(key, 'second')
  const old = (await p.versions!(key)).find((v) => !v.current)!
  const counted = instrument(p)
  const manager = managerOf(counted.provider)
  await manager.rollback(key, old.version, { provider: p.name })
  expect(await textOf(p, key)).toBe('first')
  return counted.calls
}

function rollbackCase(ctx: CaseContext): Case {
  const [k1] = ctx.keys
  const { capabilities: caps, fresh } = ctx
  if (!caps.versions)
    return {
      id: 'rollback',
      title: 'rollback — versions not declared: manager.rollback() refuses with UnsupportedError(versions)',
      async body() {
        const p = await fresh({ [k1]: 'first' })
        await expectRefusal(managerOf(p).rollback(k1, 'any', { provider: p.name }), 'versions')
      },
    }
  if (!caps.write && !caps.rollback)
    return {
      id: 'rollback',
      title:
        'rollback — neither rollback nor write declared: manager.rollback() refuses with UnsupportedError(write)',
      async body() {
        const p = await fresh({ [k1]: 'first' })
        const current = (await p.versions!(k1)).find((v) => v.current)!
        await expectRefusal(managerOf(p).rollback(k1, current.version, { provider: p.name }), 'write')
      },
    }
  if (!caps.write)
    return {
      id: 'rollback',
      title:
        'rollback — write not declared: manager.rollback() to the current version uses the native rollback()',
      async body() {
        const p = await fresh({ [k1]: 'first' })
        const current = (await p.versions!(k1)).find((v) => v.current)!
        const counted = instrument(p)
        await managerOf(counted.provider).rollback(k1, current.version, { provider: p.name })
        expect(counted.calls.rollback).toBe(1)
        expect(await textOf(p, k1)).toBe('first')
      },
    }
  return caps.rollback
    ? {
        id: 'rollback',
        title: 'rollback: manager.rollback() uses the native rollback() and the old value is current again',
        async body() {
          const calls = await rollBack(await fresh({ [k1]: 'first' }), k1)
          expect({ rollback: calls.rollback, set: calls.set }).toEqual({ rollback: 1, set: 0 })
        },
      }
    : {
        id: 'rollback',
        title: 'rollback — not declared: manager.rollback() writes the old value as a new version',
        async body() {
          const calls = await rollBack(await fresh({ [k1]: 'first' }), k1)
          expect({ rollback: calls.rollback, set: calls.set }).toEqual({ rollback: 0, set: 1 })
        },
      }
}

/** watch: the manager polls the provider's versions and reports a change. */
export function watchCase(ctx: CaseContext): Case {
  const [k1] = ctx.keys
  const { capabilities: caps, fresh } = ctx
  if (!caps.watch)
    return {
      id: 'watch',
      title: 'watch — not declared: manager.watch() refuses with UnsupportedError(watch)',
      async body() {
        const p = await fresh({ [k1]: 'first' })
        const manager = new ConfigManager({ secrets: [p], parameters: [p] })
        await expectRefusal(
          manager.watch([k1], () => {}),
          'watch',
        )
      },
    }
  return {
    id: 'watch',
    title: caps.write
      ? 'watch: manager.watch() reports a write with the previous and new versions'
      : 'watch — write not declared: manager.watch() starts on the key (no change can be made to see)',
    async body(note) {
      const p = await fresh({ [k1]: 'first' })
      const before = (await p.get(k1))!.version
      expect(before, 'watch declared, so get() reports a version').toBeTruthy()
      const manager = new ConfigManager({ secrets: [p], parameters: [p] })
      const changes: unknown[][] = []
      let changed!: () => void
      const seen = new Promise<void>((resolve) => {
        changed = resolve
      })
      // A short real interval: the store may sit behind a socket, so the clock is not faked; the test
      // waits for the change itself, never for an amount of time.
      const watcher = await manager.watch(
        [k1],
        (...args) => {
          changes.push(args)
          changed()
        },
        { interval: 20 },
      )
      try {
        expect(watcher.keys).toEqual([k1])
        if (!caps.write) {
          await note('write not declared: the change itself could not be made')
          return
        }
        await p.set!(k1, 'second')
        const after = (await p.get(k1))!.version
        expect(after).not.toBe(before)
        await seen
        expect(changes[0]).toEqual([k1, before, after])
      } finally {
        watcher.close()
      }
    },
  }
}

/** Tags: kept on the key across writes (added or replaced, others kept), or refused by the manager. */
export function tagsCase(ctx: CaseContext): Case {
  const [k1, k2] = ctx.keys
  const { capabilities: caps, fresh } = ctx
  if (!caps.tags || !caps.write)
    return {
      id: 'tags',
      title: 'tags — not declared: manager.set(key, value, { tags }) refuses with UnsupportedError(tags)',
      async body() {
        const p = await fresh({ [k1]: 'v' })
        const refusal = managerOf(p).set(k2, 'v', { to: p.name, tags: { owner: 'team' } })
        await expectRefusal(refusal, caps.write ? 'tags' : 'write')
      },
    }
  return {
    id: 'tags',
    title: 'tags: set() with tags attaches them, a later set() adds or replaces, tags() reads them back',
    async body() {
      const p = await fresh({})
      const manager = managerOf(p)
      await manager.set(k1, 'one', { to: p.name, kind: 'secret', tags: { a: '1', b: '2' } })
      expect(await p.tags!(k1)).toEqual({ a: '1', b: '2' })
      await manager.set(k1, 'two', { to: p.name, kind: 'secret', tags: { b: '3', c: '4' } })
      expect(await p.tags!(k1)).toEqual({ a: '1', b: '3', c: '4' })
      await expect(p.tags!(k2)).resolves.toBeUndefined()
    },
  }
}
