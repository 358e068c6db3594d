import type { Capabilities, Provider } from '@polysecret/core'
import { afterEach, describe, it } from 'vitest'
import { conformanceCases } from './cases.js'
import type { CaseContext } from './support.js'

export type { ConformanceCase } from './support.js'

/** A provider under test: how to make a fresh one holding given keys. */
export interface ConformanceTarget {
  /** Shown in the test names. */
  readonly name: string
  /**
   * A fresh provider whose store holds exactly `seed` (plus nothing that collides with its keys). Seed
   * through the store itself — a fake server, a file — not through the provider, where you can.
   * Called once more while the suite is collected (with an empty seed), to read the capabilities.
   */
  create(
    seed: Readonly<Record<string, string>>,
  ): Promise<{ provider: Provider; cleanup?: () => Promise<void> | void }>
  /** Keys to use; stores with naming rules can change them. @default ['APP_ALPHA', 'APP_BETA', 'APP_GAMMA'] */
  readonly keys?: readonly [string, string, string]
  /** Prefix shared by `keys`, for list tests. @default 'APP_' */
  readonly prefix?: string
}

/** The capability flags, as plain data, to compare one instance with another. */
function flagsOf(provider: Provider): Capabilities {
  const c = provider.capabilities
  return {
    list: c.list,
    write: c.write,
    delete: c.delete,
    versions: c.versions,
    batch: c.batch,
    watch: c.watch,
    rollback: c.rollback === true,
    tags: c.tags === true,
  }
}

/**
 * The provider contract as tests: every provider — ours and yours — runs these against its store
 * (a wire-level fake for cloud providers). Every case runs in the form the provider's capabilities
 * call for, and its name says which: with a capability, that the provider does it; without, what the
 * manager does instead (refuses with `UnsupportedError`, reads key by key, re-writes an old version,
 * lists nothing). No case can be skipped: a store that cannot do something declares the capability
 * `false`, and the case then checks what the manager does instead.
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

  // The capabilities are read while collecting, so each test can be named for the form it runs.
  describe(`provider conformance: ${target.name}`, async () => {
    const probe = await target.create({})
    const capabilities = flagsOf(probe.provider)
    await probe.provider.close?.()
    await probe.cleanup?.()

    async function fresh(seed: Record<string, string>): Promise<Provider> {
      const { provider, cleanup } = await target.create(seed)
      if (cleanup) cleanups.push(cleanup)
      cleanups.push(async () => provider.close?.())
      const flags = flagsOf(provider)
      if (JSON.stringify(flags) !== JSON.stringify(capabilities)) {
        throw new Error(
          `Every instance must declare the same capabilities: the first declared ${JSON.stringify(capabilities)}, this one ${JSON.stringify(flags)}.`,
        )
      }
      return provider
    }

    afterEach(async () => {
      while (cleanups.length) await cleanups.pop()!()
    })

    const context: CaseContext = { keys: [k1, k2, k3], prefix, capabilities, fresh }
    for (const { title, body } of conformanceCases(context)) {
      it(title, async (test) => {
        await body((note) => test.annotate(note))
      })
    }
  })
}
