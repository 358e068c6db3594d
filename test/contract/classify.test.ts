import { ConfigManager, memory, PolysecretError, Secret, ValidationError } from '@polysecret/core'
import { describe, expect, it } from 'vitest'

const m = () =>
  new ConfigManager({ secrets: [memory({}, { name: 's' })], parameters: [memory({}, { name: 'p' })] })

describe('contract: classification — issue examples', () => {
  const params = [
    'monkey_count',
    'KEYCLOAK_URL',
    'author_name',
    'TOKEN_ENDPOINT',
    'sort_keys_option',
    'PUBLIC_URL',
  ]
  const secrets = [
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
  ]
  for (const k of params)
    it(`${k} is a parameter`, () => {
      expect(m().classify(k).kind).toBe('parameter')
    })
  for (const k of secrets)
    it(`${k} is a secret`, () => {
      expect(m().classify(k).kind).toBe('secret')
    })

  it.each([
    'DB_URL',
    'DB_HOST',
    'DB_PORT',
    'TOKEN_ENDPOINT',
    'SECRET_TIMEOUT',
    'PASSWORD_REGION',
    'PASSWORD_URL',
    'api-key-url',
    'apiKeyHost',
    'secret/port',
  ])('trailing URL/HOST/PORT/ENDPOINT/TIMEOUT/REGION makes %s a parameter', (k) => {
    expect(m().classify(k).kind).toBe('parameter')
  })

  it('word splitting: separators - . / and camelCase', () => {
    const c = m()
    expect(c.classify('db-password').kind).toBe('secret')
    expect(c.classify('db/password').kind).toBe('secret')
    expect(c.classify('db.password').kind).toBe('secret')
    expect(c.classify('dbPassword').kind).toBe('secret')
    expect(c.classify('DBPassword').kind).toBe('secret')
    expect(c.classify('clientSecret').kind).toBe('secret')
    expect(c.classify('githubToken').kind).toBe('secret')
  })

  it('substring-but-not-word keys are parameters', () => {
    const c = m()
    for (const k of [
      'passwordless_login',
      'keyboard_layout',
      'tokenizer_model',
      'secretary_name',
      'monkey',
      'turkey_count',
      'passage',
      'compass',
      'bypass_mode',
      'keynote',
      'authorization_header',
    ])
      expect(c.classify(k).kind, k).toBe('parameter')
  })

  it('single secret words are secrets', () => {
    const c = m()
    for (const k of ['SECRET', 'KEY', 'TOKEN', 'PASSWORD', 'password', 'secret', 'token'])
      expect(c.classify(k).kind, k).toBe('secret')
  })

  it('MY_API_KEY_ID (trailing id) is a parameter per rule 5a', () => {
    expect(m().classify('MY_API_KEY_ID').kind).toBe('parameter')
  })
  it('auth_token_ttl (trailing ttl) is a parameter', () => {
    expect(m().classify('auth_token_ttl').kind).toBe('parameter')
  })
  it('PUBLIC_KEY is a parameter, PUBLIC_KEY_PEM? secret-or-param but stable', () => {
    expect(m().classify('PUBLIC_KEY').kind).toBe('parameter')
    expect(m().classify('JWT_PUBLIC_KEY').kind).toBe('parameter')
  })
  it('reason names the rule', () => {
    expect(m().classify('TOKEN_ENDPOINT').reason).toBe('default:parameter-suffix:endpoint')
    expect(m().classify('DB_PWD').reason).toBe('default:secret-word:pwd')
    expect(m().classify('monkey_count').reason).toMatch(/^default:/)
  })
})

describe('contract: classification precedence', () => {
  it('override (exact) beats defaults and user patterns', () => {
    const c = new ConfigManager({
      classify: { overrides: { DB_PASSWORD: 'parameter' }, secretPatterns: ['DB_*'] },
    })
    expect(c.classify('DB_PASSWORD')).toEqual({ kind: 'parameter', reason: 'override:DB_PASSWORD' })
  })
  it('override glob', () => {
    const c = new ConfigManager({ classify: { overrides: { 'LEGACY_*': 'parameter', 'FOO_?': 'secret' } } })
    expect(c.classify('LEGACY_PASSWORD').kind).toBe('parameter')
    expect(c.classify('LEGACY_PASSWORD').reason).toBe('override:LEGACY_*')
    expect(c.classify('FOO_A').kind).toBe('secret')
    expect(c.classify('FOO_AB').kind).toBe('parameter')
  })
  it('override globs are case-sensitive', () => {
    const c = new ConfigManager({ classify: { overrides: { 'LEGACY_*': 'parameter' } } })
    expect(c.classify('legacy_password').kind).toBe('secret')
  })
  it('override glob does not treat regex metacharacters specially', () => {
    const c = new ConfigManager({ classify: { overrides: { 'a.b': 'secret', 'x+': 'secret' } } })
    expect(c.classify('a.b').kind).toBe('secret')
    expect(c.classify('aXb').kind).toBe('parameter')
    expect(c.classify('x+').kind).toBe('secret')
    expect(c.classify('xx').kind).toBe('parameter')
  })
  it('user secret patterns beat defaults (case-insensitive globs)', () => {
    const c = new ConfigManager({ classify: { secretPatterns: ['*_signing_*'] } })
    expect(c.classify('JWT_SIGNING_ALG').kind).toBe('secret')
    expect(c.classify('JWT_SIGNING_ALG').reason).toBe('pattern:*_signing_*')
  })
  it('user parameter patterns beat defaults', () => {
    const c = new ConfigManager({ classify: { parameterPatterns: [/^PUBLIC_/] } })
    expect(c.classify('PUBLIC_TOKEN').kind).toBe('parameter')
  })
  it('secretPatterns are checked before parameterPatterns', () => {
    const c = new ConfigManager({ classify: { secretPatterns: ['A_*'], parameterPatterns: ['A_*'] } })
    expect(c.classify('A_B').kind).toBe('secret')
  })
  it('call hint beats override', async () => {
    const c = new ConfigManager({
      secrets: [memory({ DB_HOST: 'h' }, { name: 's' })],
      parameters: [memory({ DB_HOST: 'p' }, { name: 'p' })],
      classify: { overrides: { DB_HOST: 'parameter' } },
    })
    const s = await c.getSecret('DB_HOST')
    expect(s).toBeInstanceOf(Secret)
    expect(s.reveal()).toBe('h')
    const md = await c.getWithMetadata('DB_HOST', { kind: 'secret' })
    expect(md.reason).toBe('hint')
    expect(md.kind).toBe('secret')
  })
  it('extra secretWords / parameterSuffixes', () => {
    const c = new ConfigManager({ classify: { secretWords: ['launchcode'], parameterSuffixes: ['hint'] } })
    expect(c.classify('NUCLEAR_LAUNCHCODE').kind).toBe('secret')
    expect(c.classify('PASSWORD_HINT').kind).toBe('parameter')
  })
})

describe('contract: value heuristics', () => {
  const c = m()
  it('PEM private key → secret', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----'
    expect(c.classify('SERVICE_CERT_FILE', pem).kind).toBe('secret')
    expect(
      c.classify('SOMETHING', '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----').kind,
    ).toBe('secret')
    expect(
      c.classify('SOMETHING', '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----')
        .kind,
    ).toBe('secret')
  })
  it('URL with password → secret, even with a parameter suffix', () => {
    expect(c.classify('DATABASE_URL', 'postgres://app:pw@db/app')).toEqual({
      kind: 'secret',
      reason: 'value:url-with-password',
    })
    expect(c.classify('REDIS_URL', 'redis://:pw@host:6379').kind).toBe('secret')
  })
  it('URL without password stays a parameter', () => {
    expect(c.classify('DATABASE_URL', 'postgres://app@db/app').kind).toBe('parameter')
    expect(c.classify('HOME_URL', 'https://example.com/a:b@c').kind).toBe('parameter')
  })
  it('token formats promote', () => {
    expect(c.classify('SOME_VALUE', `ghp_${'a'.repeat(36)}`).kind).toBe('secret')
    expect(c.classify('SOME_VALUE', 'xoxb-1234567890-1234567890-abcdefghijABCDEFGHIJklmn').kind).toBe(
      'secret',
    )
    expect(c.classify('SOME_VALUE', `sk_live_${'a1B2'.repeat(6)}`).kind).toBe('secret')
    expect(c.classify('SOME_VALUE', 'AKIAIOSFODNN7EXAMPLE').kind).toBe('secret')
    expect(c.classify('SOME_VALUE', `npm_${'A1b2'.repeat(9)}`).kind).toBe('secret')
    expect(
      c.classify(
        'SOME_VALUE',
        'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      ).kind,
    ).toBe('secret')
  })
  it('value heuristics only promote, never demote', () => {
    expect(c.classify('DB_PASSWORD', 'hello').kind).toBe('secret')
  })
  it('heuristics beat user parameter patterns but lose to overrides', () => {
    const cc = new ConfigManager({
      classify: { parameterPatterns: ['*_URL'], overrides: { OVR_URL: 'parameter' } },
    })
    expect(cc.classify('DB_URL', 'postgres://u:p@h/d').kind).toBe('secret')
    expect(cc.classify('OVR_URL', 'postgres://u:p@h/d').kind).toBe('parameter')
  })
  it('valueHeuristics: false disables them', () => {
    const cc = new ConfigManager({ classify: { valueHeuristics: false } })
    expect(cc.classify('DB_URL', 'postgres://u:p@h/d').kind).toBe('parameter')
  })
})

describe('contract: classify bad input', () => {
  it.each([[''], [undefined], [null], [42], [{}]])('classify(%j) is a ValidationError', (k) => {
    const c = m()
    expect(() => c.classify(k as never)).toThrow(ValidationError)
    expect(() => c.classify(k as never)).toThrow(PolysecretError)
    expect(c.classify('OK').kind).toBe('parameter')
  })
  it('unicode / very long / proto keys classify without throwing', () => {
    const c = m()
    expect(c.classify('пароль_URL').kind).toBe('parameter')
    expect(c.classify('__proto__').kind).toBe('parameter')
    expect(c.classify('constructor').kind).toBe('parameter')
    expect(c.classify(`${'x_'.repeat(900)}password`).kind).toBe('secret')
    expect(() => c.classify('x'.repeat(5000))).toThrow(ValidationError)
  })
  it('camelCase acronyms: APIKey, myAPIKey, OAuthToken', () => {
    const c = m()
    expect(c.classify('APIKey').kind).toBe('secret')
    expect(c.classify('myAPIKey').kind).toBe('secret')
    expect(c.classify('OAuthToken').kind).toBe('secret')
    expect(c.classify('dbPasswordURL').kind).toBe('parameter')
  })
  it('digits and spaces/colons as separators', () => {
    const c = m()
    expect(c.classify('db password').kind).toBe('secret')
    expect(c.classify('svc:token').kind).toBe('secret')
    expect(c.classify('OAUTH2_TOKEN').kind).toBe('secret')
  })
})

describe('contract: classification — issue 8 names', () => {
  it.each([
    'app/db#password',
    'stripe/api#key',
    'DB_PASSWORD2',
    'API_KEY2',
    'SECRET1',
    'TOKEN2',
    'ADMIN_PW',
    'AUTHORIZATION',
    'AZURE_STORAGE_CONNECTION_STRING',
    'connectionString',
  ])('%s is a secret', (k) => {
    expect(m().classify(k).kind).toBe('secret')
  })
  it.each(['app/db#user', 'PASSWORD_MIN_LENGTH', 'TOKEN_URL', 'KEY_VAULT_URL', 'monkeyCount'])(
    '%s is a parameter',
    (k) => {
      expect(m().classify(k).kind).toBe('parameter')
    },
  )
  it('a field selector routes to the secrets chain, where the value is found', async () => {
    const c = new ConfigManager({
      secrets: [memory({ 'app/db#password': 'pw' }, { name: 's' })],
      parameters: [memory({ 'app/db#user': 'app' }, { name: 'p' })],
    })
    const password = await c.getWithMetadata('app/db#password')
    expect(password).toMatchObject({ kind: 'secret', provider: 's' })
    expect((password.value as Secret).reveal()).toBe('pw')
    expect(await c.get('app/db#user')).toBe('app')
  })
  it('a /g or /y secretPattern classifies the same way every time', () => {
    // Distinct keys each call, so the classifier's memo cannot hide a RegExp's lastIndex.
    const c = new ConfigManager({ classify: { secretPatterns: [/^CORP_/g, /^SEALED_/y] } })
    const seen = [1, 2, 3].flatMap((i) => [c.classify(`CORP_${i}`).kind, c.classify(`SEALED_${i}`).kind])
    expect(seen).toEqual(Array(6).fill('secret'))
  })
})
