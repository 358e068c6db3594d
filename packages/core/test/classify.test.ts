import { ConfigManager, createClassifier, splitWords, ValidationError } from '@polysecret/core'
import { describe, expect, it } from 'vitest'

describe('classification', () => {
  const classify = createClassifier()

  it.each([
    'monkey_count',
    'KEYCLOAK_URL',
    'author_name',
    'TOKEN_ENDPOINT',
    'sort_keys_option',
    'PUBLIC_URL',
    'DB_HOST',
    'PORT',
    'PUBLIC_KEY',
  ])('%s is a parameter', (key) => expect(classify(key).kind).toBe('parameter'))

  it.each([
    'DB_PASS',
    'DB_PWD',
    'PASSPHRASE',
    'PRIVATE_KEY',
    'TLS_KEY',
    'CLIENT_SECRET',
    'API_KEY',
    'apiKey',
    'github.token',
    'jwt_secret',
    'DBPassword',
    'stripe-api-key',
    'vault/token',
  ])('%s is a secret', (key) => expect(classify(key).kind).toBe('secret'))

  it('splits on separators and camelCase', () => {
    expect(splitWords('apiKey')).toEqual(['api', 'key'])
    expect(splitWords('DBPassword')).toEqual(['db', 'password'])
    expect(splitWords('github.token/v2-x_y')).toEqual(['github', 'token', 'v2', 'x', 'y'])
  })

  it('a trailing parameter word wins over an earlier secret word, and says so', () => {
    expect(classify('SECRET_MANAGER_REGION')).toEqual({
      kind: 'parameter',
      reason: 'default:parameter-suffix:region',
    })
    expect(classify('PASSWORD_TIMEOUT').reason).toBe('default:parameter-suffix:timeout')
    expect(classify('DB_PASSWORD')).toEqual({ kind: 'secret', reason: 'default:secret-word:password' })
    expect(classify('LOG_LEVEL')).toEqual({ kind: 'parameter', reason: 'default:parameter-suffix:level' })
    expect(classify('FEATURE_FLAGS')).toEqual({ kind: 'parameter', reason: 'default:no-secret-word' })
  })

  it('precedence: hint > override (exact, glob) > user patterns > defaults', () => {
    const c = createClassifier({
      overrides: { DB_HOST: 'secret', 'LEGACY_*': 'parameter' },
      secretPatterns: ['*_SIGNING_*', /^internal\./],
      parameterPatterns: ['*_PASSWORD_HINT'],
    })
    expect(c('DB_HOST')).toEqual({ kind: 'secret', reason: 'override:DB_HOST' })
    expect(c('LEGACY_PASSWORD')).toEqual({ kind: 'parameter', reason: 'override:LEGACY_*' })
    expect(c('JWT_SIGNING_MATERIAL')).toEqual({ kind: 'secret', reason: 'pattern:*_SIGNING_*' })
    expect(c('internal.thing')).toEqual({ kind: 'secret', reason: 'pattern:/^internal\\./' })
    expect(c('USER_PASSWORD_HINT')).toEqual({ kind: 'parameter', reason: 'pattern:*_PASSWORD_HINT' })
    expect(c('DB_HOST', undefined, 'parameter')).toEqual({ kind: 'parameter', reason: 'hint' })
  })

  it('value heuristics promote to secret when the value is known', () => {
    expect(classify('DATABASE_URL', 'postgres://app:s3cret@db:5432/app')).toEqual({
      kind: 'secret',
      reason: 'value:url-with-password',
    })
    expect(classify('DATABASE_URL', 'postgres://db:5432/app').kind).toBe('parameter')
    expect(
      classify('SIGNING', '-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----').reason,
    ).toBe('value:pem-private-key')
    expect(classify('GH', `ghp_${'a'.repeat(36)}`).reason).toBe('value:github-token')
    expect(classify('X', 'AKIAIOSFODNN7EXAMPLE').reason).toBe('value:aws-access-key-id')
    expect(
      createClassifier({ overrides: { DATABASE_URL: 'parameter' } })('DATABASE_URL', 'postgres://a:b@h/db')
        .kind,
    ).toBe('parameter')
    expect(createClassifier({ valueHeuristics: false })('DATABASE_URL', 'postgres://a:b@h/db').kind).toBe(
      'parameter',
    )
  })

  it('rejects bad options with a typed error', () => {
    expect(() => createClassifier({ overrides: { X: 'secrit' as 'secret' } })).toThrow(ValidationError)
    expect(() => createClassifier({ secretPatterns: [''] })).toThrow(ValidationError)
  })

  it('is exposed on the manager, which validates keys', () => {
    const manager = new ConfigManager({ classify: { overrides: { MY_TOKEN: 'parameter' } } })
    expect(manager.classify('MY_TOKEN')).toEqual({ kind: 'parameter', reason: 'override:MY_TOKEN' })
    expect(manager.classify('API_KEY').kind).toBe('secret')
    expect(() => manager.classify('')).toThrow(ValidationError)
    expect(() => manager.classify(42 as unknown as string)).toThrow(ValidationError)
  })
})
