import { stringify } from 'yaml'
import { type FakeServer, type FakeServerOptions, startFakeServer } from '../http-server.js'
import { generateCertificate } from '../tls.js'
import { type ServiceAccountTokenRequest, TokenRegistry, type TokenScope } from './auth.js'
import { kubernetesProtocol } from './protocol.js'
import { type KubernetesSeed, KubernetesState } from './state.js'
import { WatchHub } from './watch.js'

/**
 * A wire-level fake of the Kubernetes API server for core/v1 Secrets, ConfigMaps and Namespaces, over
 * HTTPS with a certificate made for this fake, so `@kubernetes/client-node` (or any generic client)
 * talks to it unchanged from `fake.kubeconfig`. See `README-API.md` beside this file for the surface.
 */

/** Options of the Kubernetes fake. */
export interface KubernetesFakeOptions extends FakeServerOptions, KubernetesSeed {
  /** Clock of the fake (epoch ms): creationTimestamp, managedFields times. Default: `Date.now`. */
  readonly now?: () => number
  /** Changes kept for resuming watches; a watch from an older resourceVersion gets 410. Default: 1000. */
  readonly watchHistory?: number
  /** The admin token (`fake.token`). Default: random per fake. */
  readonly token?: string
  /** Interval of BOOKMARK events on watches that allow them; 0 = only on `bookmark()`. Default: 60 000. */
  readonly bookmarkIntervalMs?: number
  /** Largest request body; larger is 413. Default: 3 MiB, the API server's limit. */
  readonly maxRequestBytes?: number
}

/** A running Kubernetes fake. */
export interface KubernetesFake extends FakeServer {
  readonly service: 'kubernetes'
  /** PEM of the certificate the fake serves (self-signed: trust it as a CA). */
  readonly ca: string
  /** A bearer token with every permission. */
  readonly token: string
  /** A kubeconfig (YAML) for the fake: its server, CA and `token`, namespace `default`. */
  readonly kubeconfig: string
  /** A kubeconfig for another token (e.g. from `createToken`) and default namespace. */
  kubeconfigFor(token: string, options?: { readonly namespace?: string }): string
  /** Issues a token limited to `scope` (namespaces, verbs, resources); outside it requests get 403. */
  createToken(scope?: TokenScope): string
  /**
   * Issues a service-account token as the TokenRequest API does (a JWT bound to audiences and
   * optionally a pod, expiring on the fake's clock), for TokenReview tests. The namespace must exist.
   */
  createServiceAccountToken(request: ServiceAccountTokenRequest): string
  /** Makes a token unknown: its requests get 401 (a rotated service-account token). */
  revokeToken(token: string): void
  readonly state: KubernetesState
  /** Creates or replaces namespaces, Secrets and ConfigMaps without going through the API. */
  seed(seed: KubernetesSeed): void
  /** Sends a BOOKMARK to every open watch that allows them. */
  bookmark(): void
  /** Ends every open watch normally (clients see the stream end and reconnect). */
  closeWatches(): void
  /** Watches open right now. */
  readonly openWatches: number
  now(): number
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']
const MAX_REQUEST_BYTES = 3 * 1024 * 1024

function positiveInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0))
    throw new RangeError(`${name} must be a positive whole number, got ${value}`)
  return value
}

/** Starts a Kubernetes API fake on 127.0.0.1 (random port). Prefer `startFake('kubernetes')`. */
export async function startKubernetesFake(options: KubernetesFakeOptions = {}): Promise<KubernetesFake> {
  const now = options.now ?? Date.now
  const state = new KubernetesState({
    now,
    watchHistory: positiveInteger('watchHistory', options.watchHistory ?? 1000),
  })
  state.seed({ namespaces: SYSTEM_NAMESPACES })
  state.seed(options)
  const tokens = new TokenRegistry()
  const token = tokens.issue({ user: 'kubernetes-admin' }, options.token)
  const watches = new WatchHub(state, options.bookmarkIntervalMs ?? 60_000)
  const certificate = await generateCertificate()
  let endpoint = ''
  const server = await startFakeServer(
    kubernetesProtocol({
      state,
      tokens,
      watches,
      now,
      maxRequestBytes: options.maxRequestBytes ?? MAX_REQUEST_BYTES,
      endpoint: () => endpoint,
    }),
    options,
    undefined,
    certificate,
  )
  endpoint = server.endpoint
  const kubeconfigFor = (t: string, o: { readonly namespace?: string } = {}) =>
    kubeconfigYaml(server.endpoint, certificate.cert, t, o.namespace ?? 'default')
  const stop = server.stop
  const stopAll = async () => {
    watches.closeAll()
    await stop()
  }
  // A getter must be defined, not assigned: Object.assign would copy its value once.
  Object.defineProperty(server, 'openWatches', { get: () => watches.size, enumerable: true })
  return Object.assign(server as FakeServer & { readonly openWatches: number }, {
    service: 'kubernetes' as const,
    ca: certificate.cert,
    token,
    kubeconfig: kubeconfigFor(token),
    kubeconfigFor,
    createToken: (scope?: TokenScope) => tokens.issue(scope),
    createServiceAccountToken: (request: ServiceAccountTokenRequest) => {
      if (!state.get('namespaces', undefined, request.namespace))
        throw new RangeError(`namespace "${request.namespace}" does not exist in the fake; seed it first`)
      return tokens.issueServiceAccountToken(request, now())
    },
    revokeToken: (t: string) => tokens.revoke(t),
    state,
    seed: (seed: KubernetesSeed) => state.seed(seed),
    bookmark: () => watches.bookmark(),
    closeWatches: () => watches.closeAll(),
    now,
    stop: stopAll,
    [Symbol.asyncDispose]: stopAll,
  })
}

function kubeconfigYaml(server: string, ca: string, token: string, namespace: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'polysecret-fake',
        cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') },
      },
    ],
    users: [{ name: 'polysecret-fake-user', user: { token } }],
    contexts: [
      {
        name: 'polysecret-fake',
        context: { cluster: 'polysecret-fake', user: 'polysecret-fake-user', namespace },
      },
    ],
    'current-context': 'polysecret-fake',
    preferences: {},
  })
}
