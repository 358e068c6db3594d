/**
 * The two routing decisions a read makes after it has asked the stores: where else to look for a key
 * its name's chain does not have, and which kind to serve what it found as. Both depend only on the
 * stores and the value, never on what this process wrote before, so every process reads alike.
 */
import { type ChainOutcome, type ChainReadSettings, exhausted, readChain } from './chain.js'
import type { Classification, Classifier } from './classify.js'
import { NotFoundError, type PolysecretError } from './errors.js'
import type { GetOptions, Provider } from './provider.js'
import type { Route } from './read-record.js'

/** A chain outcome, and whether the secrets chain gave it for a parameter-named key. */
export type Walked = ChainOutcome & { readonly viaOther?: boolean }

/**
 * Reads keys through their chain; a parameter routed by name that no provider of its chain has is
 * then looked up in the secrets chain (`route.otherChain`), as if that chain were appended: its
 * errors count as the chain's errors would, and a key nobody has is one `NotFoundError` naming every
 * provider of both.
 */
export async function walkChains(
  chain: readonly Provider[],
  routes: readonly Route[],
  opts: GetOptions,
  settings: ChainReadSettings,
  /** Whether the first chain's errors are sealed (a secret's) or scrubbed; see asPolysecretError. */
  secret = true,
): Promise<Map<string, Walked>> {
  // An empty chain (a manager with secrets only) answers nothing: skip it rather than build a
  // not-found error per key only to look in the secrets chain next.
  const outcomes: Map<string, Walked> =
    chain.length > 0
      ? await readChain(
          chain,
          routes.map((r) => r.key),
          opts,
          settings,
          secret,
        )
      : new Map()
  /** What the first chain's providers said of a key it did not find (none for an empty chain). */
  const firstTried = (key: string) => (outcomes.get(key) as { error?: PolysecretError })?.error?.tried ?? []
  const byOther = new Map<readonly Provider[], string[]>()
  for (const route of routes) {
    const outcome = outcomes.get(route.key)
    const notFound = outcome === undefined || (!outcome.ok && outcome.error instanceof NotFoundError)
    if (!route.otherChain || !notFound) {
      if (outcome === undefined) outcomes.set(route.key, { ok: false, error: exhausted(route.key, []) })
      continue
    }
    const keys = byOther.get(route.otherChain) ?? []
    keys.push(route.key)
    byOther.set(route.otherChain, keys)
  }
  for (const [other, keys] of byOther) {
    const second = await readChain(other, keys, opts, settings) // the secrets chain: sealed
    for (const key of keys) {
      const tried = firstTried(key)
      const next = second.get(key)!
      if (next.ok) {
        outcomes.set(key, {
          ok: true,
          hit: { ...next.hit, tried: [...tried, ...next.hit.tried] },
          viaOther: true,
        })
      } else if (next.error instanceof NotFoundError)
        outcomes.set(key, { ok: false, error: exhausted(key, [...tried, ...next.error.tried]) })
      else outcomes.set(key, next)
    }
  }
  return outcomes
}

/**
 * The kind a value is served as. A read routed by name to the parameters chain still looks at the
 * value: a credential (a URL with a password, a PEM key, a token) is served as a secret, and so is a
 * key only the secrets chain has, and a value its store marks `sensitive`. A hint or an override is the
 * user's word and stands.
 */
export function servedKind(
  route: Route,
  text: string,
  viaOther: boolean,
  classify: Classifier,
  sensitive = false,
): Classification {
  if (route.kind === 'secret' || route.reason === 'hint') return route
  if (viaOther) return { kind: 'secret', reason: 'found-in:secrets' }
  if (sensitive && !route.reason.startsWith('override:')) return { kind: 'secret', reason: 'store:sensitive' }
  const byValue = classify(route.key, text)
  return byValue.kind === 'secret' ? byValue : route
}
