/**
 * The leak canary helper itself (test/support/canary.ts) finds what it claims to: each encoding of a
 * needle, base64 at every byte offset inside a larger text, through an error's cause chain,
 * and it counts places per surface and writes its report when CANARY_REPORT is set.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { createLeakCanary, ENCODINGS, encodedForms } from './support/canary.js'

const NEEDLE = 'needle/7e1+a "quoted" ü'
const previous = process.env.CANARY_REPORT
afterEach(() => {
  if (previous === undefined) delete process.env.CANARY_REPORT
  else process.env.CANARY_REPORT = previous
})

it.each(ENCODINGS)('finds the %s form of a value inside other text', (encoding) => {
  const canary = createLeakCanary()
  const hidden =
    encoding === 'base64' || encoding === 'base64url'
      ? Buffer.from(`pre${NEEDLE}post`).toString(encoding)
      : `before ${encodedForms(NEEDLE, encoding)[0]} after`
  canary.see('surface', hidden)
  expect(canary.findLeaks([NEEDLE]).map((l) => l.encoding)).toContain(encoding)
})

it('finds base64 at every byte offset', () => {
  for (const prefix of ['', 'a', 'ab', 'abc', 'abcd']) {
    const canary = createLeakCanary()
    canary.see('data', Buffer.from(`${prefix}${NEEDLE}!`).toString('base64'))
    expect(canary.findLeaks([NEEDLE]).length, `offset ${prefix.length}`).toBeGreaterThan(0)
  }
})

it('looks through the cause chain of errors', () => {
  const canary = createLeakCanary()
  const deep = new Error('outer', { cause: new Error('middle', { cause: new Error(`inner ${NEEDLE}`) }) })
  canary.see('error', deep)
  expect(canary.findLeaks([NEEDLE]).length).toBeGreaterThan(0)
})

it('fails the check on a leak and passes on clean output', () => {
  const canary = createLeakCanary()
  canary.see('clean', { key: 'DB_PASSWORD', value: '[REDACTED]' })
  canary.expectNoLeak([NEEDLE])
  canary.see('dirty', `x ${encodeURIComponent(NEEDLE)} y`)
  expect(() => canary.expectNoLeak([NEEDLE])).toThrow(/url form .* on dirty/)
})

it('counts places per surface and reports them when CANARY_REPORT is set', () => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-report-'))
  process.env.CANARY_REPORT = dir
  const canary = createLeakCanary('test/example-canary.test.ts')
  canary.see('stdout', 'a')
  canary.see('stdout', 'b')
  canary.see('error', new Error('c'))
  expect(canary.counts()).toEqual({ stdout: 2, error: 1 })
  canary.expectNoLeak([NEEDLE, 'other-needle'])
  const [file] = readdirSync(dir)
  const line = JSON.parse(readFileSync(join(dir, file!), 'utf8'))
  expect(line).toMatchObject({
    file: 'test/example-canary.test.ts',
    surfaces: { stdout: 2, error: 1 },
    places: 3,
    needles: 2,
    encodings: ENCODINGS.length,
    occurrences: 0,
  })
})
