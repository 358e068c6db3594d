import { createPrivateKey, X509Certificate } from 'node:crypto'
import { ValidationError } from '@polysecret/core'
import type { SecretFormat, SyncedSecret, ValueRef } from './spec.js'

/**
 * Renders a synced Secret from its source values into what the API server stores: the Secret type,
 * its data (plain text here, base64 on the wire) and the labels a format needs. One set of registry
 * credentials can so become a kubelet pull secret, an Argo CD repository and a Git credential.
 * Checks what the API server cannot: a TLS key that belongs to its certificate.
 */

export interface RenderedSecret {
  readonly type: string
  readonly data: Readonly<Record<string, string>>
  readonly labels: Readonly<Record<string, string>>
}

/** The Secret `type` of each format. */
export const SECRET_TYPES: Readonly<Record<SecretFormat, string>> = {
  opaque: 'Opaque',
  tls: 'kubernetes.io/tls',
  'basic-auth': 'kubernetes.io/basic-auth',
  dockerconfigjson: 'kubernetes.io/dockerconfigjson',
  'argocd-repository': 'Opaque',
  'git-credentials': 'kubernetes.io/basic-auth',
}

/** The label Argo CD finds its repository Secrets by. */
export const ARGOCD_SECRET_TYPE = 'argocd.argoproj.io/secret-type'

/** The value references of a synced Secret, by the data field or template input they feed. */
export function valueRefs(secret: SyncedSecret): Record<string, ValueRef> {
  switch (secret.format) {
    case undefined:
    case 'opaque':
    case 'tls':
    case 'basic-auth':
      return Object.fromEntries(Object.entries(secret.data).filter(([, v]) => v !== undefined)) as Record<
        string,
        ValueRef
      >
    case 'dockerconfigjson':
      return {
        registry: secret.registry,
        username: secret.username,
        password: secret.password,
        ...(secret.email !== undefined && { email: secret.email }),
      }
    case 'argocd-repository':
      return {
        url: secret.url,
        username: secret.username,
        password: secret.password,
        ...(secret.project !== undefined && { project: secret.project }),
      }
    case 'git-credentials':
      return { url: secret.url, username: secret.username, password: secret.password }
  }
}

/** The source key a reference reads, or `undefined` for a literal. */
export function sourceKeyOf(ref: ValueRef): string | undefined {
  if (typeof ref === 'string') return ref
  return 'key' in ref ? ref.key : undefined
}

/** Every source key a synced Secret reads, in order, without repeats. */
export function sourceKeys(secret: SyncedSecret): string[] {
  return [...new Set(Object.values(valueRefs(secret)).flatMap((r) => sourceKeyOf(r) ?? []))]
}

const invalid = (secret: SyncedSecret, why: string, hint: string) =>
  new ValidationError(`Secret "${secret.name}" (${secret.format ?? 'opaque'}): ${why}.`, {
    key: sourceKeys(secret).join(', '),
    hint,
  })

/** Refuses a TLS pair whose key does not belong to the certificate, naming keys only. */
function checkTlsPair(secret: SyncedSecret, cert: string, key: string): void {
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(cert)
  } catch {
    throw invalid(secret, 'tls.crt is not a PEM certificate', 'Store the certificate (chain) in PEM form.')
  }
  let matches = false
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(key))
  } catch {
    throw invalid(
      secret,
      'tls.key is not a PEM private key',
      'Store the private key in PEM (PKCS#8 or PKCS#1) form.',
    )
  }
  if (!matches)
    throw invalid(
      secret,
      'tls.key does not belong to the certificate in tls.crt',
      'Update both keys together: the certificate and the private key it was issued for.',
    )
}

/** Renders `secret` from its resolved inputs (field → plain value). */
export function renderSecret(secret: SyncedSecret, input: Readonly<Record<string, string>>): RenderedSecret {
  const format = secret.format ?? 'opaque'
  const type = SECRET_TYPES[format]
  const get = (field: string) => input[field] ?? ''
  switch (format) {
    case 'opaque':
    case 'basic-auth':
      return { type, data: { ...input }, labels: {} }
    case 'tls':
      checkTlsPair(secret, get('tls.crt'), get('tls.key'))
      return { type, data: { ...input }, labels: {} }
    case 'dockerconfigjson': {
      const entry = {
        username: get('username'),
        password: get('password'),
        auth: Buffer.from(`${get('username')}:${get('password')}`).toString('base64'),
        ...(input.email !== undefined && { email: input.email }),
      }
      return {
        type,
        data: { '.dockerconfigjson': JSON.stringify({ auths: { [get('registry')]: entry } }) },
        labels: {},
      }
    }
    case 'argocd-repository':
      return {
        type,
        data: {
          type: (secret as { repoType?: string }).repoType ?? 'git',
          url: get('url'),
          username: get('username'),
          password: get('password'),
          ...(input.project !== undefined && { project: input.project }),
        },
        labels: { [ARGOCD_SECRET_TYPE]: 'repository' },
      }
    case 'git-credentials': {
      let origin: URL
      try {
        origin = new URL(get('url'))
      } catch {
        throw invalid(
          secret,
          'url is not a URL',
          'Give the repository URL, e.g. https://github.com/org/repo.git.',
        )
      }
      const line = `${origin.protocol}//${encodeURIComponent(get('username'))}:${encodeURIComponent(get('password'))}@${origin.host}`
      return {
        type,
        data: { username: get('username'), password: get('password'), '.git-credentials': `${line}\n` },
        labels: {},
      }
    }
  }
}
