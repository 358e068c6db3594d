import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ConfigManager,
  configFromEnv,
  createManager,
  memory,
  registerProviderType,
  type Secret,
  ValidationError,
} from '@polysecret/core'
import { describe, expect, it } from 'vitest'

const dir = () => mkdtempSync(join(tmpdir(), 'polysecret-config-'))

describe('createManager (declarative config)', () => {
  it('builds providers by type from plain data', async () => {
    const d = dir()
    writeFileSync(join(d, '.env'), 'DB_HOST=db.local\nAPI_KEY=from-dotenv\n')
    const manager = await createManager({
      secrets: [
        { type: 'memory', name: 'mem', initial: { API_KEY: 'from-memory' } },
        { type: 'dotenv', path: join(d, '.env') },
      ],
      parameters: [
        { type: 'env', env: { LOG_LEVEL: 'debug' } },
        { type: 'dotenv', path: join(d, '.env') },
      ],
      cache: { ttl: 1000 },
    })
    expect(manager).toBeInstanceOf(ConfigManager)
    expect(((await manager.get('API_KEY')) as Secret).reveal()).toBe('from-memory')
    expect(await manager.get('DB_HOST')).toBe('db.local')
    expect(await manager.get('LOG_LEVEL')).toBe('debug')
    // the same dotenv listed in both chains is one instance
    expect(manager.providers.secrets[1]).toBe(manager.providers.parameters[1])
  })

  it('ConfigManager.fromConfig is the same builder', async () => {
    const manager = await ConfigManager.fromConfig({
      parameters: [{ type: 'memory', initial: { APP_NAME: 'x' } }],
    })
    expect(manager).toBeInstanceOf(ConfigManager)
    expect(await manager.get('APP_NAME')).toBe('x')
  })

  it('reads a YAML or JSON config file', async () => {
    const d = dir()
    writeFileSync(
      join(d, 'polysecret.yaml'),
      'parameters:\n  - type: memory\n    initial: { APP_NAME: demo }\n',
    )
    writeFileSync(
      join(d, 'polysecret.json'),
      JSON.stringify({ parameters: [{ type: 'memory', initial: { APP_NAME: 'json' } }] }),
    )
    expect(await (await createManager(join(d, 'polysecret.yaml'))).get('APP_NAME')).toBe('demo')
    expect(await (await createManager(join(d, 'polysecret.json'))).get('APP_NAME')).toBe('json')
  })

  it('unknown types, missing packages and malformed files are clear typed errors', async () => {
    const unknown = await createManager({ secrets: [{ type: 'keepass' }] }).catch((e) => e)
    expect(unknown).toBeInstanceOf(ValidationError)
    expect(unknown.message).toMatch(
      /Unknown provider type "keepass" at secrets\[0\].*Known types: env, dotenv/,
    )
    // Resolved from an empty app folder: not installed there (the workspace has every package).
    const missing = await createManager(
      { secrets: [{ type: 'vault-kv', endpoint: 'https://vault.internal:8200' }] },
      { resolveFrom: dir() },
    ).catch((e) => e)
    expect(missing).toBeInstanceOf(ValidationError)
    expect(missing.message).toContain('needs the package @polysecret/vault')
    expect(missing.message).toContain('npm install @polysecret/vault')
    await expect(createManager({ secrets: [{ path: 'x' } as never] })).rejects.toThrow(/needs a "type"/)
    const d = dir()
    writeFileSync(join(d, 'bad.yaml'), 'secrets: [ {type: env\n')
    await expect(createManager(join(d, 'bad.yaml'))).rejects.toThrow(/not valid YAML/)
    await expect(createManager(join(d, 'absent.yaml'))).rejects.toThrow(/Cannot read config file/)
  })

  it('registers custom types, strictly', async () => {
    const factory = (o: Record<string, unknown>) =>
      memory({ CUSTOM_FLAG: String(o.value) }, { name: 'custom' })
    registerProviderType('my-store', factory)
    registerProviderType('my-store', factory) // same factory again is fine
    expect(() => registerProviderType('my-store', () => memory())).toThrow(/already registered/)
    expect(() => registerProviderType('env', () => memory())).toThrow(/already registered/)
    const manager = await createManager({ parameters: [{ type: 'my-store', value: 'yes' }] })
    expect(await manager.get('CUSTOM_FLAG')).toBe('yes')
  })

  it('POLYSECRET_* environment variables describe the common cases', async () => {
    const d = dir()
    expect(
      await configFromEnv({
        POLYSECRET_PASSPHRASE: 'p',
        POLYSECRET_FILE: join(d, 's.enc'),
        POLYSECRET_ENV_FILE: join(d, '.env'),
        POLYSECRET_ALLOW_WRITES: 'true',
        POLYSECRET_CACHE_TTL: '5000',
      }),
    ).toEqual({
      secrets: [{ type: 'env' }, { type: 'encrypted-file', path: join(d, 's.enc'), passphrase: 'p' }],
      parameters: [{ type: 'env' }, { type: 'dotenv', path: join(d, '.env') }],
      allowWrites: true,
      cache: { ttl: 5000 },
    })
    writeFileSync(join(d, 'c.yaml'), 'parameters: [{ type: env }]\n')
    expect(await configFromEnv({ POLYSECRET_CONFIG: join(d, 'c.yaml') })).toEqual({
      parameters: [{ type: 'env' }],
    })
  })
})
