import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  ConfigManager,
  dotenv,
  encryptedFile,
  IntegrityError,
  jsonFile,
  memory,
  type PolysecretError,
  type Provider,
  ValidationError,
  yamlFile,
} from '@polysecret/core'
import { describe, expect, it } from 'vitest'
import { FAST_SCRYPT, PASSPHRASE } from './fixtures/encrypted.js'
import { tempDirs } from './fixtures/temp-dir.js'

/**
 * A broken local file is a misconfiguration, not an outage: the manager must neither retry it nor fall
 * back to another store's value, and nothing of the file's text may reach the error or health().
 * Every file below holds the canary somewhere near the defect.
 */
const CANARY = 'zq7canaryvalue'
const newDir = tempDirs()

interface Case {
  readonly name: string
  readonly file: string
  readonly text: string
  readonly provider: (path: string) => Provider
  readonly errorClass: typeof ValidationError | typeof IntegrityError
  /** `path:line:column` the message should point at, when the format knows it. */
  readonly position?: string
  /** What the message must say is wrong. */
  readonly reason?: string
}

const cases: Case[] = [
  {
    name: 'YAML with an unresolved alias',
    file: 'config.yaml',
    text: `OTHER: fine\nLOG_LEVEL: *${CANARY}\n`,
    provider: (path) => yamlFile({ path, name: 'broken' }),
    errorClass: ValidationError,
    position: ':2:12:',
    reason: 'an alias refers to an anchor that is not defined before it',
  },
  {
    name: 'YAML with an alias used before its anchor',
    file: 'config.yaml',
    text: `LOG_LEVEL: *${CANARY}\nOTHER: &${CANARY} debug\n`,
    provider: (path) => yamlFile({ path, name: 'broken' }),
    errorClass: ValidationError,
    position: ':1:12:',
  },
  {
    name: 'YAML with an alias inside its own anchor (a cycle)',
    file: 'config.yaml',
    text: `LOG_LEVEL: &${CANARY} [*${CANARY}]\n`,
    provider: (path) => yamlFile({ path, name: 'broken' }),
    errorClass: ValidationError,
    reason: 'an alias refers to a node that contains it (a cycle)',
  },
  {
    name: 'YAML whose aliases expand exponentially',
    file: 'config.yaml',
    text: [
      `a: &a ["${CANARY}", "${CANARY}", "${CANARY}", "${CANARY}", "${CANARY}"]`,
      ...'bcdefghij'
        .split('')
        .map((k, i) => `${k}: &${k} [*${'abcdefghij'[i]}, *${'abcdefghij'[i]}, *${'abcdefghij'[i]}]`),
      'LOG_LEVEL: debug',
      '',
    ].join('\n'),
    provider: (path) => yamlFile({ path, name: 'broken' }),
    errorClass: ValidationError,
    reason: 'aliases expand to too many nodes (more than 1000)',
  },
  {
    name: 'YAML with a syntax error',
    file: 'config.yaml',
    text: `LOG_LEVEL: "${CANARY}\n`,
    provider: (path) => yamlFile({ path, name: 'broken' }),
    errorClass: ValidationError,
  },
  {
    name: 'JSON with a trailing comma',
    file: 'config.json',
    text: `{ "LOG_LEVEL": "${CANARY}", }\n`,
    provider: (path) => jsonFile({ path, name: 'broken' }),
    errorClass: ValidationError,
  },
  {
    name: 'dotenv with an unterminated quote',
    file: '.env',
    text: `LOG_LEVEL="${CANARY}\n`,
    provider: (path) => dotenv({ path, name: 'broken' }),
    errorClass: ValidationError,
  },
  {
    name: 'an encrypted file holding plain text',
    file: 'secrets.enc',
    text: `LOG_LEVEL=${CANARY}\n`,
    provider: (path) => encryptedFile({ path, passphrase: PASSPHRASE, scrypt: FAST_SCRYPT, name: 'broken' }),
    // A foreign or truncated encrypted file is an IntegrityError (it cannot be told from tampering);
    // like ValidationError it is not retried and not fallen back from.
    errorClass: IntegrityError,
  },
]

function expectNoContent(text: string | undefined): void {
  expect(text ?? '').not.toContain(CANARY)
  expect(text ?? '').not.toContain(CANARY.slice(0, 6))
}

describe('a malformed local file, read through the manager', () => {
  for (const c of cases) {
    it(`${c.name}: typed error, no fallback, no file content`, async () => {
      const path = join(await newDir(), c.file)
      await writeFile(path, c.text)
      const fallback = memory({ LOG_LEVEL: 'from-the-fallback' }, { name: 'fallback' })
      const manager = new ConfigManager({ parameters: [c.provider(path), fallback] })

      const error = (await manager.get('LOG_LEVEL').then(
        (value) => ({ served: value }),
        (e: unknown) => e,
      )) as PolysecretError
      expect(error).toBeInstanceOf(c.errorClass)
      expect(error.retryable).toBe(false)
      expect(error.provider).toBe('broken')
      expect(error.message).toContain(path)
      if (c.position) expect(error.message).toContain(`${path}${c.position}`)
      if (c.reason) expect(error.message).toContain(c.reason)
      expectNoContent(error.message)
      expectNoContent(String((error as { cause?: { message?: string } }).cause?.message ?? ''))

      const many = await manager.getMany(['LOG_LEVEL'])
      expect(many.values).toEqual({})
      expect(many.errors.LOG_LEVEL).toBeInstanceOf(c.errorClass)

      const [health] = await manager.health()
      expect(health).toMatchObject({ provider: 'broken', ok: false })
      expect(health!.message).toContain(path)
      expectNoContent(health!.message)
      await manager.close()
    })
  }

  it('a file fixed after the failure is read again (the parse error is kept only until the file changes)', async () => {
    const path = join(await newDir(), 'config.yaml')
    await writeFile(path, 'LOG_LEVEL: *missing\n')
    const manager = new ConfigManager({ parameters: [yamlFile({ path })], cache: false })
    await expect(manager.get('LOG_LEVEL')).rejects.toBeInstanceOf(ValidationError)
    await writeFile(path, 'LEVEL: &level debug\nLOG_LEVEL: *level\n')
    expect(await manager.get('LOG_LEVEL')).toBe('debug')
  })
})
