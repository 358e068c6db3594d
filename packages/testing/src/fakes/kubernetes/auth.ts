import { randomBytes } from 'node:crypto'
import type { ResourceName } from './resources.js'
import { forbidden, unauthorized } from './status.js'

/**
 * Bearer tokens the fake accepts, each for a user and optionally limited (as an RBAC Role would) to
 * some namespaces, verbs and resources. No token, or one the fake did not issue (or revoked), is 401;
 * a known token asking for what its scope leaves out is 403 Forbidden.
 */

/** What a token may do. Every field left out allows everything. */
export interface TokenScope {
  /**
   * Namespaces the token may touch. With this set, cluster-scoped requests (namespaces, lists across
   * all namespaces) are forbidden, as a RoleBinding grants nothing outside its namespace.
   */
  readonly namespaces?: readonly string[]
  /** RBAC verbs: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`. */
  readonly verbs?: readonly string[]
  readonly resources?: readonly ResourceName[]
  /** The user named in 403 messages. Default: `system:serviceaccount:default:polysecret-N`. */
  readonly user?: string
}

interface Grant extends TokenScope {
  readonly user: string
}

export class TokenRegistry {
  readonly #tokens = new Map<string, Grant>()
  #issued = 0

  /** Issues a new token (random, or `token` if given) with `scope`. */
  issue(scope: TokenScope = {}, token = randomBytes(24).toString('base64url')): string {
    this.#issued++
    this.#tokens.set(token, {
      ...scope,
      user: scope.user ?? `system:serviceaccount:default:polysecret-${this.#issued}`,
    })
    return token
  }

  revoke(token: string): void {
    this.#tokens.delete(token)
  }

  /** The grant of a request's `Authorization` header; throws 401 when it has none the fake knows. */
  authenticate(header: string | undefined): Grant {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '')
    const grant = m ? this.#tokens.get(m[1]!) : undefined
    if (!grant) throw unauthorized()
    return grant
  }

  /** Throws 403 when `grant` may not `verb` the resource. */
  authorize(
    grant: Grant,
    verb: string,
    resource: ResourceName,
    namespace: string | undefined,
    name: string | undefined,
  ): void {
    const allowed =
      (!grant.verbs || grant.verbs.includes(verb)) &&
      (!grant.resources || grant.resources.includes(resource)) &&
      (!grant.namespaces ||
        (resource !== 'namespaces' && namespace !== undefined && grant.namespaces.includes(namespace)))
    if (!allowed) throw forbidden(grant.user, verb, resource, name, namespace)
  }
}
