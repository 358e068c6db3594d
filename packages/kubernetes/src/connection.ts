import type { KubeConfig } from '@kubernetes/client-node'
import { AccessDeniedError, ValidationError } from '@polysecret/core'
import { inClusterConfig } from './in-cluster.js'

type Sdk = typeof import('@kubernetes/client-node')

/** Where the API server and credentials come from inside a pod (the service account's projected volume). */
export interface InClusterOptions {
  /**
   * The folder holding the service account's `token`, `ca.crt` and `namespace`.
   * @default '/var/run/secrets/kubernetes.io/serviceaccount'
   */
  readonly serviceAccountDir?: string
  /** The API server host. @default process.env.KUBERNETES_SERVICE_HOST */
  readonly host?: string
  /** The API server port. @default process.env.KUBERNETES_SERVICE_PORT */
  readonly port?: string | number
}

/**
 * Connection options, used when the provider makes its own `KubeConfig`. With none of them the
 * provider uses the SDK's default chain: `$KUBECONFIG` or `~/.kube/config`, else — inside a pod — the
 * service account (in-cluster configuration, as with `inCluster: true`).
 */
export interface KubernetesConnectionOptions {
  /**
   * A kubeconfig: a file path, or the document itself (text with a line break, or JSON starting
   * with `{`). Kept in a closure: never readable from the provider object.
   */
  readonly kubeconfig?: string
  /** The kubeconfig context to use. @default the kubeconfig's current-context */
  readonly context?: string
  /**
   * In-cluster configuration: the pod's service-account token (re-read whenever the kubelet rotates
   * it) and CA, and `KUBERNETES_SERVICE_HOST`/`PORT`.
   */
  readonly inCluster?: boolean | InClusterOptions
  /** Not with connection options: pass a configured `KubeConfig` instead. */
  readonly client?: never
}

/** Use a `KubeConfig` you loaded (and own). Connection options are then not accepted. */
export interface KubernetesClientOption {
  /** A loaded `KubeConfig` from `@kubernetes/client-node`; API clients and watches are made from it. */
  readonly client: KubeConfig
  readonly kubeconfig?: never
  readonly context?: never
  readonly inCluster?: never
}

/** Either connection options or a ready `KubeConfig` — never both. */
export type KubernetesClientOptions = KubernetesConnectionOptions | KubernetesClientOption

/** Eager checks of the connection options; every problem is reported at once. */
export function connectionIssues(options: Record<string, unknown>): string[] {
  const issues: string[] = []
  const o = options
  if (o.kubeconfig !== undefined && (typeof o.kubeconfig !== 'string' || o.kubeconfig.trim() === '')) {
    issues.push('kubeconfig must be a file path or a kubeconfig document (a non-empty string)')
  }
  if (o.context !== undefined && (typeof o.context !== 'string' || o.context === '')) {
    issues.push('context must be a non-empty string')
  }
  const ic = o.inCluster
  if (ic !== undefined && typeof ic !== 'boolean' && (ic === null || typeof ic !== 'object')) {
    issues.push('inCluster must be true or { serviceAccountDir?, host?, port? }')
  }
  if (ic && o.kubeconfig !== undefined) issues.push('pass either kubeconfig or inCluster, not both')
  if (o.client !== undefined) {
    for (const field of ['kubeconfig', 'context', 'inCluster']) {
      if (o[field] !== undefined)
        issues.push(`pass either client or ${field}, not both (configure the client instead)`)
    }
    const client = o.client as { makeApiClient?: unknown } | null
    if (client === null || typeof client !== 'object' || typeof client.makeApiClient !== 'function') {
      issues.push('client must be a KubeConfig from @kubernetes/client-node (an object with makeApiClient())')
    }
  }
  return issues
}

/** Whether a `kubeconfig` option is the document itself rather than a path. */
function isDocument(text: string): boolean {
  return text.includes('\n') || text.trimStart().startsWith('{')
}

/** The `KubeConfig` the provider talks through, made from its options (the SDK is already loaded). */
export function makeKubeConfig(sdk: Sdk, options: KubernetesClientOptions, provider: string): KubeConfig {
  if (options.client !== undefined) return options.client
  const kc = new sdk.KubeConfig()
  const fail = (what: string, cause: unknown) =>
    new ValidationError(`Could not load the kubeconfig (${what}) (provider "${provider}").`, {
      provider,
      cause,
      hint: 'Check the kubeconfig option (a path or the document), $KUBECONFIG or ~/.kube/config.',
    })
  const inCluster =
    options.inCluster ||
    (options.kubeconfig === undefined &&
      options.inCluster === undefined &&
      process.env.KUBERNETES_SERVICE_HOST !== undefined &&
      process.env.KUBECONFIG === undefined)
  if (options.kubeconfig !== undefined) {
    try {
      if (isDocument(options.kubeconfig)) kc.loadFromString(options.kubeconfig)
      else kc.loadFromFile(options.kubeconfig)
    } catch (error) {
      throw fail(isDocument(options.kubeconfig) ? 'not a kubeconfig document' : 'file not readable', error)
    }
  } else if (inCluster) {
    inClusterConfig(kc, options.inCluster === true || !options.inCluster ? {} : options.inCluster, provider)
  } else {
    try {
      kc.loadFromDefault()
    } catch (error) {
      throw fail('default chain', error)
    }
  }
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      throw new ValidationError(
        `The kubeconfig has no context "${options.context}" (provider "${provider}").`,
        {
          provider,
          hint: `Contexts: ${
            kc
              .getContexts()
              .map((c) => c.name)
              .join(', ') || 'none'
          }.`,
        },
      )
    }
    kc.setCurrentContext(options.context)
  }
  if (!kc.getCurrentCluster()) {
    throw new AccessDeniedError({
      provider,
      message: `No Kubernetes cluster is configured (provider "${provider}").`,
      hint: 'Pass kubeconfig, set $KUBECONFIG, or run in a pod (in-cluster configuration).',
    })
  }
  return kc
}
