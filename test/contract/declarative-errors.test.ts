import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import {
  AccessDeniedError,
  ConfigManager,
  ConfigValidationError,
  ConflictError,
  configFromEnv,
  createManager,
  IntegrityError,
  memory,
  NotFoundError,
  PolysecretError,
  ReadOnlyError,
  registerProviderType,
  Secret,
  scrubError,
  ThrottledError,
  UnavailableError,
  UnsupportedError,
  ValidationError,
  yamlFile,
} from '@polysecret/core'
import { instrument } from '@polysecret/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'

const tmp = () => mkdtempSync(join(tmpdir(), 'ps-decl-'))

afterEach(() => vi.unstubAllEnvs())

describe('contract: createManager / fromConfig', () => {
  it('builds from plain data with providers named by type', async () => {
    const dir = tmp()
    writeFileSync(join(dir, '.env'), 'DB_HOST=h\n')
    const m = await createManager({
      secrets: [{ type: 'memory', initial: { DB_PASSWORD: 'x' } }],
      parameters: [{ type: 'dotenv', path: join(dir, '.env') }],
      cache: { ttl: 1000 },
    })
    expect(await m.get('DB_HOST')).toBe('h')
    expect(await m.get('DB_PASSWORD')).toBeInstanceOf(Secret)
    const m2 = await ConfigManager.fromConfig({ parameters: [{ type: 'env', env: { A_HOST: 'a' } }] })
    expect(await m2.get('A_HOST')).toBe('a')
  })
  it('from a YAML file and a JSON file', async () => {
    const dir = tmp()
    writeFileSync(join(dir, '.env'), 'DB_HOST=h\n')
    writeFileSync(
      join(dir, 'p.yaml'),
      `parameters:\n  - { type: dotenv, path: ${join(dir, '.env')} }\ncache: { ttl: 30000, staleIfError: 600000 }\nfallback: { on: [unavailable, throttled] }\nallowWrites: false\n`,
    )
    writeFileSync(
      join(dir, 'p.json'),
      JSON.stringify({ parameters: [{ type: 'dotenv', path: join(dir, '.env') }] }),
    )
    expect(await (await createManager(join(dir, 'p.yaml'))).get('DB_HOST')).toBe('h')
    expect(await (await createManager(join(dir, 'p.json'))).get('DB_HOST')).toBe('h')
  })
  it('unknown provider type → ValidationError naming it', async () => {
    const e = await createManager({ secrets: [{ type: 'nope-store' }] }).catch((x) => x)
    expect(e).toBeInstanceOf(ValidationError)
    expect(e.message).toContain('nope-store')
  })
  it('type whose package is not installed → error naming the package', async () => {
    const e = await createManager({ secrets: [{ type: 'vault-kv' }] }).catch((x) => x)
    expect(e).toBeInstanceOf(ValidationError)
    expect(e.message).toContain('@polysecret/vault')
    expect(e.message).toMatch(/npm install @polysecret\/vault/)
    // The same from the parameters chain (azure, gcp and kubernetes are installed here now).
    const err = await createManager({ parameters: [{ type: 'vault-kv' }] }).catch((x) => x)
    expect(err.message).toContain('@polysecret/vault')
  })
  it('installed package type (aws) loads on demand', async () => {
    const m = await createManager(
      {
        secrets: [
          {
            type: 'aws-secrets-manager',
            region: 'us-east-1',
            endpoint: 'http://127.0.0.1:1',
            credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
          },
        ],
      },
      { resolveFrom: join(import.meta.dirname, '..') }, // the app folder that installs @polysecret/aws
    )
    expect(m.providers.secrets[0]!.type).toBe('aws-secrets-manager')
  })
  it('malformed config file → ValidationError', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'bad.json'), '{ "secrets": [ ')
    writeFileSync(join(dir, 'bad.yaml'), 'secrets: [ { type: env ')
    await expect(createManager(join(dir, 'bad.json'))).rejects.toBeInstanceOf(ValidationError)
    await expect(createManager(join(dir, 'bad.yaml'))).rejects.toBeInstanceOf(ValidationError)
    await expect(createManager(join(dir, 'missing.yaml'))).rejects.toBeInstanceOf(ValidationError)
    writeFileSync(join(dir, 'scalar.yaml'), '42\n')
    await expect(createManager(join(dir, 'scalar.yaml'))).rejects.toBeInstanceOf(ValidationError)
  })
  it('a malformed config file never quotes an inline credential in its parse error', async () => {
    const dir = tmp()
    const credential = 'AKIAFAKE/inline\\q-LEAK-5e2b'
    const cases: Record<string, string> = {
      // an invalid escape inside the credential: JSON.parse's message quotes the text around it
      'bad-escape.json': `{"secrets":[{"type":"aws-secrets-manager","credentials":{"secretAccessKey":"${credential}"}}]}`,
      // Node 22+ quotes the text after an unexpected token
      'unquoted.json': `{"secrets":[{"type":"encrypted-file","passphrase": ${credential}}]}`,
      'truncated.json': `{"secrets":[{"type":"encrypted-file","passphrase":"${credential}`,
      'bad-escape.yaml': `secrets:\n  - type: encrypted-file\n    passphrase: "${credential}"\n`,
      'bad-indent.yaml': `secrets:\n  - type: encrypted-file\n    passphrase: ${credential}\n   path: x\n`,
      'bad-alias.yaml': `secrets:\n  - type: encrypted-file\n    passphrase: *${credential.slice(0, 8)}\n`,
    }
    for (const [name, text] of Object.entries(cases)) {
      writeFileSync(join(dir, name), text)
      const e = await createManager(join(dir, name)).catch((x) => x)
      expect(e, name).toBeInstanceOf(ValidationError)
      const seen = inspect(e, { showHidden: true, depth: 20 }) + String(e.cause?.message)
      for (const part of ['AKIAFAKE', 'inline', 'LEAK-5e2b', '\\q'])
        expect(seen, `${name}: ${part}`).not.toContain(part)
      expect(e.message, name).toMatch(/line \d+, column \d+|not valid YAML/)
    }
  })
  it('malformed provider entries → ValidationError', async () => {
    await expect(createManager({ secrets: {} as never })).rejects.toBeInstanceOf(ValidationError)
    await expect(createManager({ secrets: [{} as never] })).rejects.toBeInstanceOf(ValidationError)
    await expect(createManager({ secrets: ['env' as never] })).rejects.toBeInstanceOf(ValidationError)
    await expect(createManager(null as never)).rejects.toBeInstanceOf(ValidationError)
  })
  it('bad option values for a known provider → ValidationError (not a TypeError)', async () => {
    const e = await createManager({ parameters: [{ type: 'dotenv' }] }).catch((x) => x)
    expect(e).toBeInstanceOf(ValidationError)
    const e2 = await createManager({ parameters: [{ type: 'env', prefix: 5 }] }).catch((x) => x)
    expect(e2).toBeInstanceOf(ValidationError)
  })
  it('bad fallback reason in a config file → ValidationError', async () => {
    await expect(
      createManager({ parameters: [{ type: 'env' }], fallback: { on: ['unavailible' as never] } }),
    ).rejects.toBeInstanceOf(ValidationError)
  })
  it('reads POLYSECRET_* env vars: ENV_PREFIX, ALLOW_WRITES, CACHE_TTL, ENV_FILE', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'x.env'), 'FROM_FILE_HOST=f\n')
    const cfg = await configFromEnv({
      POLYSECRET_ENV_PREFIX: 'APP_',
      POLYSECRET_ALLOW_WRITES: 'true',
      POLYSECRET_CACHE_TTL: '1234',
      POLYSECRET_ENV_FILE: join(dir, 'x.env'),
    })
    expect(cfg.allowWrites).toBe(true)
    expect(cfg.cache).toMatchObject({ ttl: 1234 })
    expect(JSON.stringify(cfg.parameters)).toContain('dotenv')
    expect(JSON.stringify(cfg.secrets)).toContain('APP_')
    vi.stubEnv('POLYSECRET_ENV_PREFIX', 'AUDITX_')
    vi.stubEnv('POLYSECRET_ENV_FILE', join(dir, 'x.env'))
    vi.stubEnv('AUDITX_SOME_HOST', 'from-env')
    const m = await createManager()
    expect(await m.get('SOME_HOST')).toBe('from-env')
    expect(await m.get('FROM_FILE_HOST')).toBe('f')
  })
  it('POLYSECRET_CONFIG points at a file', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'c.yaml'), 'parameters:\n  - type: memory\n    initial: { X_HOST: x }\n')
    vi.stubEnv('POLYSECRET_CONFIG', join(dir, 'c.yaml'))
    const m = await createManager()
    expect(await m.get('X_HOST')).toBe('x')
  })
  it('POLYSECRET_CACHE_TTL garbage → ValidationError, not a silently broken cache', async () => {
    vi.stubEnv('POLYSECRET_CACHE_TTL', 'soon')
    await expect(createManager()).rejects.toBeInstanceOf(ValidationError)
  })
  it('POLYSECRET_ALLOW_WRITES=TRUE / 1 (case)?', async () => {
    // documented: `true` enables writes; at least `true` must work
    expect((await configFromEnv({ POLYSECRET_ALLOW_WRITES: 'true' })).allowWrites).toBe(true)
    expect((await configFromEnv({ POLYSECRET_ALLOW_WRITES: 'false' })).allowWrites).toBe(false)
  })
  it('encrypted-file in a config takes the passphrase from POLYSECRET_PASSPHRASE; missing → ValidationError', async () => {
    const dir = tmp()
    const path = join(dir, 's.enc')
    const e = await createManager({ secrets: [{ type: 'encrypted-file', path }] }).catch((x) => x)
    expect(e).toBeInstanceOf(ValidationError)
    expect(e.message).toMatch(/passphrase|key/)
    vi.stubEnv('POLYSECRET_PASSPHRASE', 'correct horse battery staple')
    const m = await createManager({
      secrets: [{ type: 'encrypted-file', path, scrypt: { N: 1024, r: 8, p: 1 } }],
      allowWrites: true,
    })
    await m.set('DB_PASSWORD', 'x')
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('x')
  })
  it('registerProviderType: registered once, usable from config', async () => {
    const type = `contract-${Math.random().toString(36).slice(2, 8)}`
    const factory = (o: Record<string, unknown>) =>
      memory((o.initial as Record<string, string>) ?? {}, { name: type })
    registerProviderType(type, factory)
    expect(() => registerProviderType(type, () => memory())).toThrow(ValidationError)
    const m = await createManager({ parameters: [{ type, initial: { A_HOST: 'a' } }] })
    expect(await m.get('A_HOST')).toBe('a')
    expect(() => registerProviderType('Bad Type', factory)).toThrow(ValidationError)
  })
  it('onAccess extra', async () => {
    const events: unknown[] = []
    const m = await createManager(
      { parameters: [{ type: 'memory', initial: { A_HOST: 'a' } }] },
      { onAccess: (e) => events.push(e) },
    )
    await m.get('A_HOST')
    expect(events).toHaveLength(1)
  })
})

describe('contract: errors', () => {
  const S = `ghp_${'Z'.repeat(36)}`
  it('every class extends PolysecretError with code, key, provider, hint', () => {
    const classes = [
      [NotFoundError, 'NOT_FOUND'],
      [AccessDeniedError, 'ACCESS_DENIED'],
      [ThrottledError, 'THROTTLED'],
      [UnavailableError, 'UNAVAILABLE'],
      [ConflictError, 'CONFLICT'],
      [ReadOnlyError, 'READ_ONLY'],
      [UnsupportedError, 'UNSUPPORTED'],
      [IntegrityError, 'INTEGRITY'],
    ] as const
    for (const [C, code] of classes) {
      const e = new (C as unknown as new (o: object) => PolysecretError)({
        key: 'K',
        provider: 'p',
        cause: new Error(`token ${S}`),
      })
      expect(e).toBeInstanceOf(PolysecretError)
      expect(e).toBeInstanceOf(Error)
      expect(e.code).toBe(code)
      expect(e.key).toBe('K')
      expect(e.provider).toBe('p')
      expect(e.hint, C.name).toBeTruthy()
      expect(e.message.endsWith(e.hint!)).toBe(true)
      expect(e.name).toBe(C.name)
      expect(e.cause).toBeInstanceOf(Error)
      expect(inspect(e, { showHidden: true, depth: 10 })).not.toContain(S)
    }
    expect(new ConfigValidationError([] as never)).toBeInstanceOf(PolysecretError)
    expect(new ValidationError('x')).toBeInstanceOf(PolysecretError)
  })
  it('retryable flags', () => {
    expect(new ThrottledError({}).retryable).toBe(true)
    expect(new UnavailableError({}).retryable).toBe(true)
    expect(new AccessDeniedError({}).retryable).toBe(false)
    expect(new NotFoundError({}).retryable).toBe(false)
  })
  it('cause scrubbing: PEM, URL password, password=, bearer, payload fields', () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC\n-----END PRIVATE KEY-----'
    const cause = Object.assign(
      new Error(
        `failed ${pem} postgres://app:pw-LEAK-1@db/x password=LEAK-2 Authorization: Bearer LEAK3abcdefghijklmnopqrstuvwx`,
      ),
      {
        $response: { body: 'LEAK-4' },
        SecretString: 'LEAK-5',
        config: { credentials: { secretAccessKey: 'LEAK-6' } },
      },
    )
    const e = new UnavailableError({ key: 'K', provider: 'p', cause })
    const out = inspect(e, { showHidden: true, depth: 20 }) + JSON.stringify(e.cause)
    expect(out).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC')
    for (const l of ['pw-LEAK-1', 'LEAK-2', 'LEAK3abcdefghijklmnopqrstuvwx', 'LEAK-4', 'LEAK-5', 'LEAK-6'])
      expect(out, l).not.toContain(l)
  })
  it('scrubs nested causes and AggregateErrors', () => {
    const inner = new Error('password=DEEP-LEAK-1')
    const outer = new Error('wrap', { cause: inner })
    const agg = new AggregateError([new Error('token=AGG-LEAK-2xxxxxxxxxxxxxxxxxxxx')], 'many')
    const e1 = new UnavailableError({ cause: outer })
    const e2 = new UnavailableError({ cause: agg })
    const out = inspect(e1, { showHidden: true, depth: 20 }) + inspect(e2, { showHidden: true, depth: 20 })
    expect(out).not.toContain('DEEP-LEAK-1')
    expect(out).not.toContain('AGG-LEAK-2')
  })
  it('scrubs a cause that is not an Error (string / object)', () => {
    const e = new UnavailableError({ cause: `oops password=STR-LEAK` })
    const e2 = new UnavailableError({ cause: { message: 'x', password: 'OBJ-LEAK' } })
    expect(inspect(e, { showHidden: true, depth: 20 })).not.toContain('STR-LEAK')
    expect(inspect(e2, { showHidden: true, depth: 20 })).not.toContain('OBJ-LEAK')
  })
  it('scrubError of a circular cause does not hang', () => {
    const a: Error & { self?: unknown } = new Error('circ')
    a.self = a
    ;(a as { cause?: unknown }).cause = a
    expect(() => scrubError(a)).not.toThrow()
  })
  it('a provider throwing its raw secret in the error message: the manager error never shows it', async () => {
    const st = instrument(memory({ DB_PASSWORD: 'raw-db-password-LEAK' }), {
      fault: () => Object.assign(new Error('raw-db-password-LEAK'), { name: 'WeirdError' }),
    })
    let t = 1_000
    const m = new ConfigManager({
      secrets: [st.provider],
      retry: false,
      cache: { staleIfError: 0, ttl: 100, now: () => t },
    })
    // cold: the value was never read, so nothing can scrub it by value — the error must not carry it anyway
    const cold = await m.get('DB_PASSWORD').catch((x) => x)
    expect(cold).toBeInstanceOf(PolysecretError)
    expect(cold.key).toBe('DB_PASSWORD')
    expect(inspect(cold, { showHidden: true, depth: 20 })).not.toContain('raw-db-password-LEAK')
    st.setFault(undefined)
    await m.get('DB_PASSWORD', { fresh: true })
    st.setFault(() => new Error('connection lost while sending raw-db-password-LEAK'))
    t += 1_000
    const e = await m.get('DB_PASSWORD', { fresh: true }).catch((x) => x)
    expect(e).toBeInstanceOf(PolysecretError)
    expect(inspect(e, { showHidden: true, depth: 20 })).not.toContain('raw-db-password-LEAK')
  })
})

describe('contract: a malformed local YAML store quotes nothing', () => {
  it('yamlFile: an invalid escape inside a secret is reported by position and code only', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 's.yaml'), 'DB_PASSWORD: "hunter\\q-LEAK-77"\n')
    const m = new ConfigManager({ secrets: [yamlFile({ path: join(dir, 's.yaml') })], retry: false })
    const e = await m.get('DB_PASSWORD').catch((x) => x)
    expect(e).toBeInstanceOf(ValidationError)
    expect(e.message).toContain('s.yaml:1:')
    const seen = inspect(e, { showHidden: true, depth: 20 })
    for (const part of ['hunter', '\\q', 'LEAK-77']) expect(seen).not.toContain(part)
  })
})
