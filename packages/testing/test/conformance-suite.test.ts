/**
 * The conformance suite tested itself: its capability-less forms run against providers that declare
 * little (no current provider package does), and each case fails a provider that breaks what it names.
 */
import { type Capabilities, memory, type Provider, READ_ONLY } from '@polysecret/core'
import { describe, expect, it } from 'vitest'
import { conformanceCases } from '../src/conformance/cases.js'
import { runProviderConformance } from '../src/conformance/index.js'
import type { CaseContext, ConformanceCase } from '../src/conformance/support.js'

/** A memory store seen through only the methods the given capabilities allow. */
function restricted(seed: Record<string, string>, caps: Capabilities, name = 'restricted'): Provider {
  const inner = memory(seed, { name })
  const p: Provider = {
    name,
    type: 'restricted-memory',
    capabilities: caps,
    get: (key, opts) => inner.get(key, opts),
    health: () => inner.health(),
  }
  if (caps.list) p.list = (prefix) => inner.list(prefix)
  if (caps.batch) p.getMany = (keys) => inner.getMany(keys)
  if (caps.write) p.set = (key, value, opts) => inner.set(key, value, opts)
  if (caps.delete) p.delete = (key, opts) => inner.delete(key, opts)
  if (caps.versions) p.versions = (key) => inner.versions(key)
  if (caps.rollback) p.rollback = (key, version) => inner.rollback(key, version)
  return p
}

// The forms for missing capabilities, which no shipped provider exercises all of.
runProviderConformance({
  name: 'read-only, nothing declared',
  create: async (seed) => ({ provider: restricted(seed, READ_ONLY) }),
})
runProviderConformance({
  name: 'versioned and watchable, but not writable',
  create: async (seed) => ({
    provider: restricted(seed, { ...READ_ONLY, list: true, versions: true, watch: true }),
  }),
})
/** Runs one case's check against a provider, as the suite would. */
async function runCase(id: ConformanceCase, make: (seed: Record<string, string>) => Provider) {
  const probe = make({})
  const ctx: CaseContext = {
    keys: ['APP_ALPHA', 'APP_BETA', 'APP_GAMMA'],
    prefix: 'APP_',
    capabilities: probe.capabilities,
    fresh: async (seed) => make(seed),
  }
  const found = conformanceCases(ctx).find((c) => c.id === id)!
  await found.body(async () => undefined)
}

describe('the conformance suite fails a provider that breaks what a case names', () => {
  it('shape: a method present for a capability not declared', async () => {
    const leaky = (seed: Record<string, string>) => ({
      ...restricted(seed, READ_ONLY),
      getMany: memory(seed).getMany,
    })
    await expect(runCase('shape', leaky)).rejects.toThrow(/batch not declared/)
  })

  it('if-version: a store that ignores ifVersion', async () => {
    const careless = (seed: Record<string, string>) => {
      const p = restricted(seed, { ...READ_ONLY, write: true })
      const set = p.set!
      return { ...p, set: (key: string, value: string | Uint8Array) => set(key, value) }
    }
    await expect(runCase('if-version', careless)).rejects.toThrow(/promise resolved/)
  })

  it('batch: a declared batch the manager cannot use (getMany answers nothing)', async () => {
    const empty = (seed: Record<string, string>) => ({
      ...restricted(seed, { ...READ_ONLY, batch: true }),
      getMany: async () => ({ entries: new Map(), errors: new Map() }),
    })
    await expect(runCase('batch', empty)).rejects.toThrow(/expected {} to deeply equal/)
  })

  it('watch: a declared watch whose version does not change with the value', async () => {
    const frozen = (seed: Record<string, string>) => {
      const p = restricted(seed, { ...READ_ONLY, write: true, watch: true })
      const get = p.get
      return {
        ...p,
        get: async (key: string) => {
          const entry = await get(key)
          return entry && { ...entry, version: 'always-1' }
        },
      }
    }
    await expect(runCase('watch', frozen)).rejects.toThrow(/always-1/)
  })

  it('list: a declared list that misses keys', async () => {
    const blind = (seed: Record<string, string>) => ({
      ...restricted(seed, { ...READ_ONLY, list: true }),
      list: async function* () {},
    })
    await expect(runCase('list', blind)).rejects.toThrow(/expected \[\] to deeply equal ArrayContaining/)
  })
})
