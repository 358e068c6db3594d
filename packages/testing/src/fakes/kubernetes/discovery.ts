import { RESOURCES } from './resources.js'

/**
 * The discovery documents generic clients read before anything else: `/version`, `/api` (the core
 * group's versions), `/api/v1` (its resources and verbs) and `/apis` (other groups; none here).
 */

/** The release the fake reports: a current Kubernetes minor. */
export const FAKE_KUBERNETES_VERSION = { major: '1', minor: '36', gitVersion: 'v1.36.3' } as const

export function versionInfo(): Record<string, string> {
  return {
    ...FAKE_KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-07-15T00:00:00Z',
    goVersion: 'go1.25.5',
    compiler: 'gc',
    platform: 'linux/amd64',
  }
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  }
}

export function apiResourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: Object.values(RESOURCES).map((r) => ({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      storageVersionHash: Buffer.from(r.kind).toString('base64').slice(0, 11),
    })),
  }
}

export function apiGroupList(): Record<string, unknown> {
  // authentication.k8s.io serves TokenReview (create only), as on a cluster.
  const v1 = { groupVersion: 'authentication.k8s.io/v1', version: 'v1' }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [{ name: 'authentication.k8s.io', versions: [v1], preferredVersion: v1 }],
  }
}
