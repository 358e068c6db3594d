/**
 * Property-based tests (fast-check) of the namespace sync's invariants, against the Kubernetes API fake
 * with AWS Secrets Manager (wire fake) as the source. For random namespaces and labels, random selectors
 * (matchLabels, matchExpressions, name globs), random values and random foreign objects:
 * - after a sync, exactly the matching namespaces hold exactly the current values, in the right format;
 * - after labels and values change, the next sync adds and removes accordingly;
 * - an object without our owner labels is never touched (its resourceVersion never moves) nor deleted;
 * - a selection reaching a system namespace is refused with nothing written.
 * The expected selection is computed here by a plain oracle, independent of the sync's own matcher.
 */
import { secretsManager } from '@polysecret/aws'
import { AccessDeniedError, ConfigManager } from '@polysecret/core'
import { type NamespaceSelector, namespaceSync } from '@polysecret/kubernetes'
import { startFake } from '@polysecret/testing'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_AWS } from './support/aws.js'

type KubeFake = Awaited<ReturnType<typeof startFake<'kubernetes'>>>
type SmFake = Awaited<ReturnType<typeof startFake<'aws-secrets-manager'>>>

const NAMES = ['ns-a', 'ns-b', 'ns-c', 'ns-d', 'ns-e', 'ns-f']
const SYSTEM = ['default', 'kube-system', 'kube-public', 'kube-node-lease']
const ENVS = ['prod', 'dev', 'test']
const OWNER = { 'app.kubernetes.io/managed-by': 'polysecret', 'polysecret.dev/sync': 'prop' }

const labelsArb = fc.record(
  { env: fc.constantFrom(...ENVS), team: fc.constantFrom('a', 'b') },
  { requiredKeys: [] },
)
const clusterArb = fc.dictionary(fc.constantFrom(...NAMES), labelsArb, { minKeys: 1 })
const expressionArb = fc.oneof(
  fc.record({
    key: fc.constantFrom('env', 'team'),
    operator: fc.constantFrom('In' as const, 'NotIn' as const),
    values: fc.uniqueArray(fc.constantFrom(...ENVS, 'a', 'b'), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    key: fc.constantFrom('env', 'team'),
    operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const),
  }),
)
const selectorArb: fc.Arbitrary<NamespaceSelector> = fc.record(
  {
    matchLabels: fc.dictionary(fc.constantFrom('env', 'team'), fc.constantFrom(...ENVS, 'a', 'b'), {
      maxKeys: 1,
    }),
    matchExpressions: fc.array(expressionArb, { maxLength: 2 }),
  },
  { requiredKeys: [] },
)
/** `ns-*` keeps to the test's namespaces; `*` may reach system namespaces (then the policy refuses). */
const patternsArb = fc.oneof(
  fc.constant(['ns-*']),
  fc.constant(['ns-*', '!ns-a']),
  fc.constant(['*']),
  fc.constant(['ns-[b-d]']),
)
const valueArb = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme-ascii' })
const valuesArb = fc.record({ USER: valueArb, PASS: valueArb, TOKEN: valueArb })
/** Foreign objects (no owner labels, or another sync's) at our Secret names or others. */
const foreignArb = fc.uniqueArray(
  fc.record({
    namespace: fc.constantFrom(...NAMES),
    name: fc.constantFrom('pull', 'token', 'unrelated'),
    owner: fc.constantFrom('none', 'other-sync'),
  }),
  { selector: (f) => `${f.namespace}/${f.name}`, maxLength: 4 },
)

/** The oracle: Kubernetes label-selector semantics, written out plainly. */
function oracle(
  selector: NamespaceSelector,
  patterns: readonly string[],
  name: string,
  labels: Record<string, string>,
) {
  const glob = (p: string) => new RegExp(`^${p.replace(/\*/g, '.*').replace(/\[b-d\]/, '[b-d]')}$`)
  const include = patterns.filter((p) => !p.startsWith('!'))
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1))
  if (!include.some((p) => glob(p).test(name)) || exclude.some((p) => glob(p).test(name))) return false
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false
  for (const e of selector.matchExpressions ?? []) {
    const v = labels[e.key]
    if (e.operator === 'Exists' && v === undefined) return false
    if (e.operator === 'DoesNotExist' && v !== undefined) return false
    if (e.operator === 'In' && (v === undefined || !e.values!.includes(v))) return false
    if (e.operator === 'NotIn' && v !== undefined && e.values!.includes(v)) return false
  }
  return true
}

describe('namespace sync properties (fast-check, Kubernetes fake, AWS source)', () => {
  let kube: KubeFake
  let sm: SmFake
  let manager: ConfigManager
  beforeAll(async () => {
    kube = await startFake('kubernetes')
    sm = await startFake('aws-secrets-manager')
    manager = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint })],
      cache: false,
    })
  })
  afterAll(async () => {
    await manager.close()
    await kube.stop()
    await sm.stop()
  })

  /** Empties the cluster of the test's namespaces (with their Secrets), then seeds the case. */
  type Foreign = { namespace: string; name: string; owner: string }
  const reset = (cluster: Record<string, Record<string, string>>, foreign: readonly Foreign[]) => {
    for (const s of kube.state.list('secrets'))
      kube.state.delete('secrets', s.metadata.namespace, s.metadata.name)
    for (const ns of kube.state.list('namespaces'))
      if (!SYSTEM.includes(ns.metadata.name)) kube.state.delete('namespaces', undefined, ns.metadata.name)
    kube.seed({ namespaces: Object.entries(cluster).map(([name, labels]) => ({ name, labels })) })
    for (const f of foreign)
      kube.seed({
        namespaces: cluster[f.namespace] ? [] : [f.namespace],
        secrets: {
          [`${f.namespace}/${f.name}`]: {
            data: { theirs: 'foreign' },
            labels: f.owner === 'none' ? { team: 'x' } : { ...OWNER, 'polysecret.dev/sync': 'other' },
          },
        },
      })
  }

  const target = (selector: NamespaceSelector, patterns: readonly string[]) =>
    namespaceSync({
      name: 'prop',
      kubeconfig: kube.kubeconfig,
      namespaceSelector: selector,
      namespaces: patterns,
      secrets: [
        {
          name: 'pull',
          format: 'dockerconfigjson',
          registry: { value: 'r.example' },
          username: 'USER',
          password: 'PASS',
        },
        { name: 'token', data: { token: 'TOKEN', user: 'USER' } },
      ],
    })

  /** Checks the invariants after a successful sync. */
  const check = (
    selector: NamespaceSelector,
    patterns: readonly string[],
    values: { USER: string; PASS: string; TOKEN: string },
    foreign: { namespace: string; name: string }[],
    foreignBefore: Map<string, string | undefined>,
  ) => {
    const namespaces = kube.state.list('namespaces')
    for (const ns of namespaces) {
      const name = ns.metadata.name
      const matches = oracle(selector, patterns, name, ns.metadata.labels ?? {})
      for (const secret of ['pull', 'token']) {
        const obj = kube.state.get('secrets', name, secret)
        const isForeign = foreign.some((f) => f.namespace === name && f.name === secret)
        if (isForeign) {
          expect(obj?.metadata.resourceVersion).toBe(foreignBefore.get(`${name}/${secret}`))
          continue
        }
        if (!matches) {
          expect(obj, `${name}/${secret} should not exist`).toBeUndefined()
          continue
        }
        expect(obj?.metadata.labels).toMatchObject(OWNER)
        const data = Object.fromEntries(
          Object.entries(obj!.data as Record<string, string>).map(([k, v]) => [
            k,
            Buffer.from(v, 'base64').toString(),
          ]),
        )
        if (secret === 'token') expect(data).toEqual({ token: values.TOKEN, user: values.USER })
        else {
          expect(obj!.type).toBe('kubernetes.io/dockerconfigjson')
          expect(JSON.parse(data['.dockerconfigjson']!)).toEqual({
            auths: {
              'r.example': {
                username: values.USER,
                password: values.PASS,
                auth: Buffer.from(`${values.USER}:${values.PASS}`).toString('base64'),
              },
            },
          })
        }
      }
    }
    for (const f of foreign) expect(kube.state.get('secrets', f.namespace, f.name)).toBeDefined()
  }

  it('exactly the matching namespaces hold exactly the current values; relabels add and remove; foreign objects untouched', async () => {
    await fc.assert(
      fc.asyncProperty(
        clusterArb,
        selectorArb,
        patternsArb,
        valuesArb,
        foreignArb,
        clusterArb,
        valuesArb,
        async (cluster, selector, patterns, values, foreign, relabel, values2) => {
          reset(cluster, foreign)
          sm.seed(values)
          const foreignBefore = new Map(
            foreign.map((f) => [
              `${f.namespace}/${f.name}`,
              kube.state.get('secrets', f.namespace, f.name)?.metadata.resourceVersion,
            ]),
          )
          const writesBefore = kube.requests.count('create secrets') + kube.requests.count('delete secrets')
          const reachesSystem = SYSTEM.some((ns) =>
            oracle(
              selector,
              patterns,
              ns,
              kube.state.get('namespaces', undefined, ns)?.metadata.labels ?? {},
            ),
          )
          const sync = target(selector, patterns)
          if (reachesSystem) {
            await expect(manager.sync(sync)).rejects.toBeInstanceOf(AccessDeniedError)
            expect(kube.requests.count('create secrets') + kube.requests.count('delete secrets')).toBe(
              writesBefore,
            )
            return
          }
          const first = await manager.sync(sync)
          const conflicts = first.errors.map((e) => `${e.namespace}/${e.secret}`).sort()
          const expectedConflicts = foreign
            .filter(
              (f) =>
                f.name !== 'unrelated' && oracle(selector, patterns, f.namespace, cluster[f.namespace] ?? {}),
            )
            .map((f) => `${f.namespace}/${f.name}`)
            .sort()
          expect(conflicts).toEqual(expectedConflicts)
          check(selector, patterns, values, foreign, foreignBefore)

          // Labels and values change: the next pass adds and removes accordingly.
          kube.seed({ namespaces: Object.entries(relabel).map(([name, labels]) => ({ name, labels })) })
          sm.seed(values2)
          const second = await manager.sync(sync).catch((e: unknown) => e)
          if (second instanceof AccessDeniedError) return // the relabel made a system namespace match: refused
          check(selector, patterns, values2, foreign, foreignBefore)
        },
      ),
      { numRuns: 30, seed: Number(process.env.FC_SEED ?? 1616) },
    )
  }, 180_000)
})
