/**
 * Copies of a key that a read would serve instead of what a write or delete just did. Reads route by
 * the key's name, in every process, so a write that puts a key in the other kind's chain
 * (`set('FOO', new Secret('new'))`, a URL with a password) must not leave an older copy where a read
 * by name looks first; and a delete must not report success while a later provider still serves the
 * key. Each such copy is removed where the store allows it, or reported as a failed destination.
 */
import { asPolysecretError, entryBytes } from './chain.js'
import {
  type PolysecretError,
  ReadOnlyError,
  UnsupportedError,
  type WriteDestinationResult,
} from './errors.js'
import type { ProviderGate } from './gate/gate.js'
import type { Provider } from './provider.js'

/** Two provider objects for the same store (env() in both chains) count as one. */
export function sameStore(a: Provider, b: Provider): boolean {
  return a === b || (a.type === b.type && a.name === b.name)
}

/** Whether the manager may delete at this provider (writes enabled, or the provider opted in). */
export function canDeleteAt(provider: Provider, allowWrites: boolean): boolean {
  return (
    provider.capabilities.delete &&
    typeof provider.delete === 'function' &&
    (allowWrites || provider.writable === true)
  )
}

/**
 * The providers among `candidates` that hold the key. A provider whose read fails counts as holding
 * it: the caller then deletes there (and reports that store's error) or reports it as unchecked —
 * never a silent success.
 */
export async function holdersOf(
  gate: ProviderGate,
  candidates: readonly Provider[],
  key: string,
): Promise<{ provider: Provider; error?: PolysecretError }[]> {
  const answers = await Promise.all(
    candidates.map(async (provider) => {
      try {
        const entry = await gate.call(provider, 'get', (signal) => provider.get(key, { signal }), {
          key,
          retry: false,
          bytes: entryBytes,
        })
        return entry === undefined ? undefined : { provider }
      } catch (error) {
        return { provider, error: asPolysecretError(error, key, provider.name) }
      }
    }),
  )
  return answers.filter((a) => a !== undefined)
}

/** A copy the manager cannot remove, as a failed destination that says what to do. */
export function remainingCopy(
  provider: Provider,
  key: string,
  allowWrites: boolean,
  readError: PolysecretError | undefined,
  why: string,
): WriteDestinationResult {
  if (readError) return { provider: provider.name, ok: false, error: readError }
  const error =
    provider.capabilities.delete && typeof provider.delete === 'function' && !allowWrites
      ? new ReadOnlyError({
          key,
          provider: provider.name,
          message: `Key "${key}" still has a copy in "${provider.name}" that ${why}, and writes to it are disabled.`,
        })
      : new UnsupportedError({
          key,
          provider: provider.name,
          capability: 'delete',
          message: `Key "${key}" still has a copy in "${provider.name}" that ${why}, and "${provider.name}" cannot delete keys.`,
          hint: `Remove it there (e.g. unset the environment variable), or classify "${key}" explicitly (classify.overrides) so reads go to the chain that holds the current value.`,
        })
  return { provider: provider.name, ok: false, error }
}
