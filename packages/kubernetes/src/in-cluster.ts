import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { KubeConfig, User } from '@kubernetes/client-node'
import { AccessDeniedError } from '@polysecret/core'
import type { InClusterOptions } from './connection.js'

/** Where the kubelet mounts the pod's service-account token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

const AUTH_PROVIDER = 'polysecret-service-account'

/**
 * The service-account token, re-read whenever the file changes. The kubelet rotates projected
 * tokens (by default hourly, by swapping the volume's `..data` link), and an old token stops working
 * when it expires; one `stat` per request notices the new file at once, where the SDK's own
 * tokenFile support re-reads only every 60 seconds.
 */
class ServiceAccountToken {
  #stamp = ''
  #token = ''

  constructor(
    private readonly file: string,
    private readonly provider: string,
  ) {}

  isAuthProvider(user: User): boolean {
    return user?.authProvider?.name === AUTH_PROVIDER
  }

  async applyAuthentication(_user: User, opts: { headers?: Record<string, unknown> }): Promise<void> {
    try {
      const s = await stat(this.file) // follows the ..data link: a rotation shows as a new inode
      const stamp = `${s.ino}:${s.size}:${s.mtimeMs}`
      if (stamp !== this.#stamp) {
        this.#token = (await readFile(this.file, 'utf8')).trim()
        this.#stamp = stamp
      }
    } catch (error) {
      throw new AccessDeniedError({
        provider: this.provider,
        cause: error,
        message: `The service-account token is not readable (${(error as NodeJS.ErrnoException).code ?? 'error'}) (provider "${this.provider}").`,
        hint: `Check that the pod mounts its service-account token at ${this.file} (automountServiceAccountToken).`,
      })
    }
    opts.headers ??= {}
    opts.headers.Authorization = `Bearer ${this.#token}`
  }
}

/** Configures `kc` for the pod's own service account (the standard paths, or `options` in tests). */
export function inClusterConfig(kc: KubeConfig, options: InClusterOptions, provider: string): void {
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR
  const host = options.host ?? process.env.KUBERNETES_SERVICE_HOST
  const port = String(options.port ?? process.env.KUBERNETES_SERVICE_PORT ?? '443')
  if (host === undefined || host === '') {
    throw new AccessDeniedError({
      provider,
      message: `In-cluster configuration needs KUBERNETES_SERVICE_HOST (provider "${provider}").`,
      hint: 'Run in a pod, or pass kubeconfig instead of inCluster.',
    })
  }
  // An IPv6 literal (it has colons, a host name never does) goes in brackets; node:net is not loaded for it.
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`
  kc.loadFromClusterAndUser(
    { name: 'in-cluster', server, caFile: join(dir, 'ca.crt'), skipTLSVerify: false },
    { name: 'in-cluster', authProvider: { name: AUTH_PROVIDER, config: {} } },
  )
  kc.addAuthenticator(new ServiceAccountToken(join(dir, 'token'), provider))
}
