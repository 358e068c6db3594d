/**
 * Parsers under generated input: dotenv (round trip of any value through our writer and reader; any
 * text either parses or fails with a ValidationError that does not echo the secret in it), the JSON and
 * YAML file providers, and declarative config files. 0 crashes: every rejection is a typed error.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isPolysecretError, jsonFile, readConfigFile, ValidationError, yamlFile } from '@polysecret/core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  dotenvValue,
  parseDotenv,
  removeDotenv,
  setDotenv,
} from '../../packages/core/src/providers/dotenv-parse.js'
import { anyText, canary, runs } from './runs.js'

const dotenvKey = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,20}$/)

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'property-parsers-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('dotenv', () => {
  it('any value written by setDotenv reads back exactly, next to other assignments', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(dotenvKey, anyText(80)), {
          selector: ([k]) => k,
          minLength: 1,
          maxLength: 6,
        }),
        (pairs) => {
          let text = ''
          for (const [key, value] of pairs) text = setDotenv(text ? parseDotenv(text) : undefined, key, value)
          const doc = parseDotenv(text)
          for (const [key, value] of pairs) expect(dotenvValue(doc, key)).toBe(value)
          // Removing one key leaves every other value as it was.
          const [gone, ...rest] = pairs
          const after = parseDotenv(removeDotenv(doc, gone![0]))
          expect(dotenvValue(after, gone![0])).toBeUndefined()
          for (const [key, value] of rest) expect(dotenvValue(after, key)).toBe(value)
        },
      ),
      { numRuns: runs(2_000) },
    )
  })

  it('any text parses or fails with a ValidationError that does not contain the secret on the line', () => {
    fc.assert(
      fc.property(anyText(40), canary, anyText(40), (before, secret, after) => {
        const text = `${before}\nKEY=${secret}${after}\n${after}`
        try {
          parseDotenv(text)
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError)
          expect((error as Error).message).not.toContain(secret)
        }
      }),
      { numRuns: runs(2_000) },
    )
  })
})

describe('JSON and YAML files, declarative configs', () => {
  const fileText = fc.oneof(
    anyText(60),
    fc.json().map((json) => json.slice(0, Math.max(1, json.length - 3))), // truncated JSON
    fc.jsonValue().map((v) => JSON.stringify(v)),
  )

  it('a JSON or YAML file with any content is read or refused with a typed error, never echoing its content', async () => {
    let n = 0
    await fc.assert(
      fc.asyncProperty(fileText, canary, fc.constantFrom('json', 'yaml'), async (text, secret, format) => {
        const path = join(dir, `p${n++}.${format}`)
        await writeFile(path, `${text}\n# ${secret}\n${text.includes('{') ? '' : `SECRET_KEY: ${secret}`}`)
        const store = format === 'json' ? jsonFile({ path }) : yamlFile({ path })
        try {
          const value = await store.get('SECRET_KEY')
          expect(value === undefined || typeof value.value === 'string').toBe(true)
        } catch (error) {
          expect(isPolysecretError(error)).toBe(true)
          expect(String((error as Error).message)).not.toContain(secret)
          expect(JSON.stringify(error)).not.toContain(secret)
        }
      }),
      { numRuns: runs(600) },
    )
  })

  it('a declarative config file with any content loads or fails with a typed error', async () => {
    let n = 0
    const configShape = fc.oneof(
      fileText,
      fc
        .record({
          secrets: fc.array(
            fc.record({ type: fc.constantFrom('env', 'dotenv', 'memory', 'nope', ''), path: anyText(10) }),
            {
              maxLength: 3,
            },
          ),
          parameters: fc.anything(),
          cache: fc.oneof(fc.anything(), fc.record({ ttl: fc.oneof(fc.integer(), fc.string()) })),
        })
        .map((o) => JSON.stringify(o)),
    )
    await fc.assert(
      fc.asyncProperty(configShape, async (text) => {
        const path = join(dir, `config${n++}.json`)
        await writeFile(path, text)
        try {
          const config = await readConfigFile(path)
          expect(typeof config).toBe('object')
        } catch (error) {
          expect(isPolysecretError(error), String(error)).toBe(true)
        }
      }),
      { numRuns: runs(600) },
    )
  })
})
