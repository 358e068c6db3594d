import {
  AccessDeniedError,
  ConflictError,
  NotFoundError,
  PolysecretError,
  ThrottledError,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import nodeVault from 'node-vault'
import { describe, expect, it } from 'vitest'
import { isCasMismatch, toPolysecretError } from '../src/errors.js'

const VALUE = 'hunter2-do-not-print'
const ctx = { key: 'app/db#password', provider: 'vault-kv' }
const client = nodeVault({ endpoint: 'http://127.0.0.1:1' })

/** The error node-vault itself makes of a Vault answer (its ApiResponseError), not a look-alike. */
async function vaultError(statusCode: number, errors: string[]): Promise<unknown> {
  return client
    .handleVaultResponse({ statusCode, body: { errors }, request: { path: '/v1/secret/data/app/db' } })
    .then(
      () => undefined,
      (e: unknown) => e,
    )
}

describe('toPolysecretError: Vault answers onto core errors', () => {
  it.each([
    [404, [], NotFoundError],
    [403, ['permission denied'], AccessDeniedError],
    [401, ['missing client token'], AccessDeniedError],
    [400, ['check-and-set parameter did not match the current version'], ConflictError],
    [400, [`invalid value ${VALUE}`], ValidationError],
    [405, ['unsupported operation'], ValidationError],
    [429, ['request path "secret/": rate limit quota exceeded'], ThrottledError],
    [503, ['Vault is sealed'], UnavailableError],
    [503, ['node is in standby mode'], UnavailableError],
    [500, [`internal error near ${VALUE}`], UnavailableError],
    [502, [], UnavailableError],
  ])('%i %j → %s', async (status, texts, type) => {
    const mapped = toPolysecretError(await vaultError(status, texts), ctx)
    expect(mapped).toBeInstanceOf(type)
    expect(mapped.key).toBe('app/db#password')
    expect(mapped.provider).toBe('vault-kv')
    // Vault's texts classify the failure but never reach our message.
    expect(mapped.message).not.toContain(VALUE)
  })

  it('says "sealed" for a sealed Vault and gives the unseal hint', async () => {
    const mapped = toPolysecretError(await vaultError(503, ['Vault is sealed']), ctx)
    expect(mapped.message).toContain('sealed')
    expect(mapped.hint).toMatch(/Unseal/)
  })

  it('only a 400 with the check-and-set text is a cas mismatch', async () => {
    expect(
      isCasMismatch(await vaultError(400, ['check-and-set parameter did not match the current version'])),
    ).toBe(true)
    expect(isCasMismatch(await vaultError(400, ['no data provided']))).toBe(false)
    expect(
      isCasMismatch(await vaultError(500, ['check-and-set parameter did not match the current version'])),
    ).toBe(false)
  })

  it('network failures are UnavailableError; unknown failures stay PolysecretError; mapped errors pass through', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8200'), { code: 'ECONNREFUSED' })
    expect(toPolysecretError(refused, ctx)).toBeInstanceOf(UnavailableError)
    const odd = toPolysecretError(new Error(`weird ${VALUE}`), ctx)
    expect(odd.constructor).toBe(PolysecretError)
    expect(odd.message).not.toContain(VALUE)
    const already = new ConflictError({ key: 'k', provider: 'p' })
    expect(toPolysecretError(already, ctx)).toBe(already)
  })
})
