import nodeVault from 'node-vault'
import type { VaultFake } from '../src/index.js'

/** The official client pointed at a fake, with `token` (default: the root token). */
export function vaultClient(fake: VaultFake, token: string | undefined = fake.rootToken, namespace?: string) {
  return nodeVault({ endpoint: fake.endpoint, token, ...(namespace ? { namespace } : {}) })
}

/** A node-vault error's HTTP status and Vault `errors` list. */
export async function vaultFailure(
  promise: Promise<unknown>,
): Promise<{ status: number; errors: string[]; message: string }> {
  try {
    await promise
  } catch (error) {
    const e = error as Error & { response?: { statusCode: number; body?: { errors?: string[] } } }
    if (!e.response) throw error
    return { status: e.response.statusCode, errors: e.response.body?.errors ?? [], message: e.message }
  }
  throw new Error('expected the Vault call to fail, but it succeeded')
}

/** A raw request to the fake (for what node-vault does not wrap). */
export async function raw(
  fake: VaultFake,
  method: string,
  path: string,
  options: {
    token?: string | null
    body?: unknown
    namespace?: string
    headers?: Record<string, string>
  } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers }
  const token = options.token === undefined ? fake.rootToken : options.token
  if (token !== null) headers['X-Vault-Token'] = token
  if (options.namespace) headers['X-Vault-Namespace'] = options.namespace
  const res = await fetch(`${fake.endpoint}/v1/${path}`, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers }
}
