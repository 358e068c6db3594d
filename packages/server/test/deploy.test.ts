import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { Job } from 'kubernetes-models/batch/v1/Job'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Service } from 'kubernetes-models/v1/Service'
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import { describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import { validateServerOptions } from '../src/options.js'
import { loadChart } from './support/helm-subset.js'

/**
 * The deployment files, checked without a cluster: every manifest (plain, and the Helm chart rendered
 * by test/support/helm-subset.ts) is validated against the Kubernetes OpenAPI schemas that
 * kubernetes-models ships compiled for ajv, and the server.yaml each one carries is checked by the
 * server's own option validation.
 */

const deploy = join(import.meta.dirname, '..', 'deploy')
const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
}

function validate(doc: Record<string, any>): void {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`]
  if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`)
  new Model(doc).validate()
}

/** The pod template of a workload. */
const podOf = (docs: Record<string, any>[]) =>
  docs.find((d) => d.kind === 'Deployment' || d.kind === 'Job')!.spec.template.spec

function serverConfigOf(docs: Record<string, any>[]) {
  const cm = docs.find((d) => d.kind === 'ConfigMap')!
  return { server: parse(cm.data['server.yaml']), manager: parse(cm.data['polysecret.yaml']) }
}

const plain = (file: string) =>
  parseAllDocuments(readFileSync(join(deploy, 'kubernetes', file), 'utf8')).map(
    (d) => d.toJSON() as Record<string, any>,
  )

describe('deploy: plain Kubernetes manifests', () => {
  for (const file of ['sidecar-native.yaml', 'sidecar-legacy.yaml', 'cluster-service.yaml']) {
    it(`${file} is valid against the Kubernetes schemas`, () => {
      const docs = plain(file)
      expect(docs.length).toBeGreaterThan(0)
      for (const doc of docs) validate(doc)
    })
  }

  it('the native sidecar is an init container with restartPolicy: Always in a Job', () => {
    const docs = plain('sidecar-native.yaml')
    const pod = podOf(docs)
    expect(docs.find((d) => d.kind === 'Job')).toBeDefined()
    expect(pod.initContainers[0]).toMatchObject({ name: 'polysecret', restartPolicy: 'Always' })
    expect(pod.initContainers[0].env.map((e: { name: string }) => e.name)).toEqual([
      'POD_NAMESPACE',
      'POD_NAME',
      'POD_SERVICE_ACCOUNT',
    ])
    const { server } = serverConfigOf(docs)
    expect(server.host).toBe('127.0.0.1')
    expect(() => validateServerOptions(server)).not.toThrow()
  })

  it('the cluster service listens on all addresses with TokenReview auth, bound to system:auth-delegator', () => {
    const docs = plain('cluster-service.yaml')
    const { server } = serverConfigOf(docs)
    expect(server.host).toBe('0.0.0.0')
    expect(server.auth.kubernetes.serviceAccounts.length).toBeGreaterThan(0)
    expect(() => validateServerOptions(server)).not.toThrow()
    expect(docs.find((d) => d.kind === 'ClusterRoleBinding')?.roleRef.name).toBe('system:auth-delegator')
  })
})

describe('deploy: Helm chart (rendered without helm)', () => {
  const chart = loadChart(join(deploy, 'helm', 'polysecret-server'))
  const cases: [string, Record<string, unknown>][] = [
    ['service (default values)', {}],
    ['native sidecar Deployment', { mode: 'sidecar' }],
    ['native sidecar Job', { mode: 'sidecar', sidecar: { workload: 'Job' } }],
    ['legacy sidecar (Kubernetes < 1.28)', { mode: 'sidecar', sidecar: { native: false } }],
  ]
  for (const [name, values] of cases) {
    it(`${name}: every rendered manifest is valid, and server.yaml passes the server's validation`, () => {
      const docs = chart.render(values, { name: 'ps', namespace: 'apps' })
      for (const doc of docs) validate(doc)
      const { server, manager } = serverConfigOf(docs)
      expect(() => validateServerOptions(server)).not.toThrow()
      expect(manager).toEqual(chart.values.config)
      expect(docs.every((d) => d.metadata.labels?.['app.kubernetes.io/instance'] === 'ps')).toBe(true)
    })
  }

  it('service mode: Deployment, Service, PDB, ServiceAccount with auth-delegator, auth required', () => {
    const docs = chart.render({}, { name: 'ps', namespace: 'apps' })
    expect(docs.map((d) => d.kind).sort()).toEqual(
      [
        'ClusterRoleBinding',
        'ConfigMap',
        'Deployment',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ].sort(),
    )
    const { server } = serverConfigOf(docs)
    expect(server).toMatchObject({
      host: '0.0.0.0',
      port: 7373,
      auth: { kubernetes: { audiences: ['polysecret'] } },
    })
    expect(podOf(docs).serviceAccountName).toBe('ps')
  })

  it('sidecar modes: native puts polysecret in initContainers with restartPolicy Always; legacy in containers', () => {
    const native = podOf(chart.render({ mode: 'sidecar', sidecar: { workload: 'Job' } }))
    expect(native.restartPolicy).toBe('Never')
    expect(native.initContainers).toEqual([
      expect.objectContaining({
        name: 'polysecret',
        restartPolicy: 'Always',
        image: 'polysecret/server:0.1.0',
      }),
    ])
    expect(native.containers.map((c: { name: string }) => c.name)).toEqual(['app'])
    const legacy = podOf(chart.render({ mode: 'sidecar', sidecar: { native: false } }))
    expect(legacy.initContainers).toBeUndefined()
    expect(legacy.containers.map((c: { name: string }) => c.name)).toEqual(['app', 'polysecret'])
    expect(legacy.containers[1].restartPolicy).toBeUndefined()
    expect(serverConfigOf(chart.render({ mode: 'sidecar' })).server.host).toBe('127.0.0.1')
  })

  it('the schema check catches a broken manifest (a string where an integer belongs)', () => {
    const docs = chart.render({ service: { replicas: 'two' } })
    expect(() => validate(docs.find((d) => d.kind === 'Deployment')!)).toThrow(/replicas must be integer/)
  })
})
