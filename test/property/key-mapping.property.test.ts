/**
 * Key mapping of every provider under generated keys and store names: a key either maps to a name the
 * store accepts (checked against the store's own naming rule) or is refused with a ValidationError
 * before any call; the built-in mappings round-trip every key they accept; mapping a listed name back
 * never throws. Classification is total and deterministic, and a secret word makes any key a secret.
 */
import { createClassifier, ValidationError } from '@polysecret/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parameterNameProblem, parameterNames } from '../../packages/aws/src/key-mapping.js'
import { secretNames } from '../../packages/azure/src/key-mapping.js'
import { PARAMETER_IDS, resourceIds, SECRET_IDS } from '../../packages/gcp/src/key-mapping.js'
import { isDataKey, isObjectName, objectKeys } from '../../packages/kubernetes/src/key-mapping.js'
import { vaultKeys } from '../../packages/vault/src/key-mapping.js'
import { anyText, runs } from './runs.js'

/** Keys as users write them, plus anything at all. */
const key = fc.oneof(
  fc.stringMatching(/^[A-Z][A-Z0-9_]{0,30}$/),
  fc.stringMatching(/^[a-z][a-z0-9._/-]{0,30}(#[a-z]{1,8})?$/),
  anyText(40),
)

/** Runs `map`; a refusal must be a ValidationError naming the key. Returns the result or undefined. */
function mapOrRefuse<T>(k: string, map: () => T): T | undefined {
  try {
    return map()
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError)
    if (k !== '') expect((error as Error).message).toContain(k)
    return undefined
  }
}

describe('provider key mappings', () => {
  it('AWS Parameter Store: accepted keys give names SSM accepts and map back; others are refused first', () => {
    fc.assert(
      fc.property(
        key,
        fc.constantFrom('path', 'dotted'),
        fc.constantFrom('/app/', '/', '/a/b/'),
        (k, mapping, prefix) => {
          const names = parameterNames(prefix, mapping as 'path' | 'dotted', 'ssm')
          const name = mapOrRefuse(k, () => names.name(k))
          if (name === undefined) return
          expect(parameterNameProblem(name)).toBeUndefined()
          expect(names.key(name)).toBe(k)
          expect(names.path(k).startsWith('/')).toBe(true)
        },
      ),
      { numRuns: runs(1_500) },
    )
  })

  it('GCP secret and parameter ids: accepted keys give valid ids that map back', () => {
    fc.assert(
      fc.property(
        key,
        fc.constantFrom('identity', 'kebab'),
        fc.constantFrom('', 'app-'),
        fc.boolean(),
        (k, mapping, prefix, secret) => {
          const rules = secret ? SECRET_IDS : PARAMETER_IDS
          const ids = resourceIds(prefix, mapping, rules, 'gcp')
          const ref = mapOrRefuse(k, () => ids.ref(k))
          if (ref === undefined) return
          expect(ref.id).toMatch(/^[a-zA-Z0-9_-]+$/)
          expect(ref.id.length).toBeLessThanOrEqual(rules.maxLength)
          const back = ids.key(ref.id)
          // identity round-trips every key; kebab every key it produces from upper snake case.
          if (mapping === 'identity' || /^[A-Z0-9_]+$/.test(k.split('#')[0]!))
            expect(back).toBe(k.split('#')[0])
        },
      ),
      { numRuns: runs(1_500) },
    )
  })

  it('Azure Key Vault: accepted keys give 1–127 character names of letters, digits and "-"', () => {
    fc.assert(
      fc.property(
        key,
        fc.constantFrom('kebab', 'identity'),
        fc.constantFrom('', 'app-'),
        (k, mapping, prefix) => {
          const names = secretNames(prefix, mapping, 'kv')
          const ref = mapOrRefuse(k, () => names.ref(k))
          if (ref === undefined) return
          expect(ref.name).toMatch(/^[0-9a-zA-Z-]{1,127}$/)
          if (mapping === 'identity') expect(names.key(ref.name)).toBe(k.split('#')[0])
          if (mapping === 'kebab' && /^[A-Z0-9_]+$/.test(k.split('#')[0]!))
            expect(names.key(ref.name)).toBe(k.split('#')[0])
        },
      ),
      { numRuns: runs(1_500) },
    )
  })

  it('Kubernetes: accepted keys name a valid object and data key, and map back', () => {
    fc.assert(
      fc.property(key, fc.constantFrom(undefined, 'app-config'), (k, object) => {
        const keys = objectKeys(object, 'identity', 'k8s')
        const ref = mapOrRefuse(k, () => keys.ref(k))
        if (ref === undefined) return
        expect(isObjectName(ref.object)).toBe(true)
        expect(isDataKey(ref.dataKey)).toBe(true)
        expect(keys.key(ref.object, ref.dataKey)).toBe(k.split('#')[0])
      }),
      { numRuns: runs(1_500) },
    )
  })

  it('Vault: accepted keys give paths without empty segments and map back with their field', () => {
    fc.assert(
      fc.property(key, fc.constantFrom(undefined, 'myapp/'), (k, prefix) => {
        const keys = vaultKeys({ prefix }, 'vault')
        const parsed = mapOrRefuse(k, () => keys.parse(k))
        if (parsed === undefined) return
        expect(parsed.path).toMatch(/^[^/]+(\/[^/]+)*$/)
        expect(keys.keyOf(parsed.path, parsed.field)).toBe(
          parsed.explicitField && parsed.field !== keys.defaultField ? k : k.split('#')[0],
        )
      }),
      { numRuns: runs(1_500) },
    )
  })

  it('mapping any listed store name back to a key never throws', () => {
    const ssm = parameterNames('/app/', 'path', 'ssm')
    const gcp = resourceIds('app-', 'kebab', SECRET_IDS, 'gcp')
    const kv = secretNames('', 'kebab', 'kv')
    const k8s = objectKeys(undefined, 'identity', 'k8s')
    const vault = vaultKeys({ prefix: 'myapp/' }, 'vault')
    fc.assert(
      fc.property(anyText(60), anyText(20), (name, field) => {
        for (const back of [
          ssm.key(name),
          gcp.key(name),
          kv.key(name),
          k8s.key(name, field),
          vault.keyOf(name, field),
        ]) {
          expect(back === undefined || typeof back === 'string').toBe(true)
        }
      }),
      { numRuns: runs(1_000) },
    )
  })
})

describe('classification', () => {
  const classify = createClassifier()
  const secretWord = fc.constantFrom('PASSWORD', 'TOKEN', 'SECRET', 'API_KEY', 'PRIVATE_KEY', 'CLIENT_SECRET')
  const word = fc.stringMatching(/^[A-Z]{2,8}$/)

  it('is total and deterministic for any key and value, with a reason', () => {
    fc.assert(
      fc.property(anyText(40), fc.option(anyText(60), { nil: undefined }), (k, value) => {
        const first = classify(k, value)
        expect(['secret', 'parameter']).toContain(first.kind)
        expect(first.reason.length).toBeGreaterThan(0)
        expect(classify(k, value)).toEqual(first)
      }),
      { numRuns: runs(2_000) },
    )
  })

  it('a secret word at the end of any upper-snake key makes it a secret, whatever comes before', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 3 }), secretWord, (before, last) => {
        const k = [...before, last].join('_')
        expect(classify(k).kind, k).toBe('secret')
      }),
      { numRuns: runs(1_000) },
    )
  })
})
