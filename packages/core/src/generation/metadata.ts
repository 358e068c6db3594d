/**
 * What generation records beside each key it writes — which spec, which template (as a checksum), which
 * generators, when — so a later run sees a changed template. Stores that keep tags get it as tags on
 * the key itself; others get a sidecar key `<key>__polysecret_meta` holding the same record as JSON
 * (underscores, because every store accepts them in a name: env/dotenv, GCP secret ids, Kubernetes data
 * keys). The record holds no secret material.
 */
import { createHash } from 'node:crypto'
import type { Provider } from '../provider.js'
import type { CheckedKey, CheckedSpec } from './spec.js'

export const TAG_CHECKSUM = 'polysecret:template-sha256'
export const TAG_GENERATORS = 'polysecret:generators'
export const TAG_SPEC = 'polysecret:spec'
export const TAG_GENERATED_AT = 'polysecret:generated-at'

/** The sidecar suffix for stores without tags. */
export const SIDECAR_SUFFIX = '__polysecret_meta'

/** Where a store keeps the generation record. */
export type MetadataPlace = 'tags' | 'sidecar'

export function metadataPlace(provider: Provider): MetadataPlace {
  return provider.capabilities.tags && typeof provider.tags === 'function' ? 'tags' : 'sidecar'
}

export function sidecarKey(key: string): string {
  return `${key}${SIDECAR_SUFFIX}`
}

/** JSON with object keys sorted, so a checksum does not depend on the order a spec was written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * The checksum of what makes a key's value: its template, its kind, and the settings of every generator
 * it uses (a longer password or another CA is a changed template too).
 */
export function templateChecksum(spec: CheckedSpec, key: CheckedKey): string {
  const generators = Object.fromEntries(key.generators.map((name) => [name, spec.generators[name]]))
  return createHash('sha256')
    .update(canonical({ template: key.template, kind: key.kind, generators }))
    .digest('hex')
}

/** The record written with a key. */
export function metadataRecord(spec: CheckedSpec, key: CheckedKey, now: Date): Record<string, string> {
  return {
    [TAG_CHECKSUM]: templateChecksum(spec, key),
    [TAG_GENERATORS]: key.generators.map((name) => `${name}=${spec.generators[name]!.type}`).join(','),
    ...(spec.name !== undefined && { [TAG_SPEC]: spec.name }),
    [TAG_GENERATED_AT]: now.toISOString(),
  }
}

/** Only our own entries of a store's tags (a key may carry other tags of its owner's). */
export function ownEntries(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => k.startsWith('polysecret:')))
}

/** Parses a sidecar's JSON; anything else is "no record". */
export function parseSidecar(text: string): Record<string, string> | undefined {
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
    const entries = Object.entries(parsed).filter(([, v]) => typeof v === 'string') as [string, string][]
    return ownEntries(Object.fromEntries(entries))
  } catch {
    return undefined
  }
}
