/**
 * The one leak-canary helper every canary test uses. Usage (in any test file, e.g. packages/server/test):
 *
 *   const canary = useLeakCanary()                          // fresh per test; captures stdout/stderr/console
 *   canary.see('http response', await res.text())           // every output surface, named
 *   canary.expectNoLeak([SECRET])                           // raw, base64, base64url, hex, URL, JSON forms
 *
 * `see` records one *place* on a surface: a value's inspect (showHidden, getters), its JSON and String
 * forms, and for an error every link of its cause chain (message, hint, stack, inspect). `expectNoLeak`
 * searches every place for every needle in every encoding, prints the context of a hit, and — when
 * CANARY_REPORT names a directory — appends the counts (places per surface, needles, forms, occurrences)
 * to a JSON file per test file there, which `pnpm canary` (scripts/canary.mjs) sums up.
 */
import { appendFileSync, mkdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { format, inspect } from 'node:util'
import { afterEach, beforeEach, expect, vi } from 'vitest'

/** The encodings a value could hide in when it passes through an output surface. */
export const ENCODINGS = ['raw', 'base64', 'base64url', 'hex', 'url', 'json'] as const
export type Encoding = (typeof ENCODINGS)[number]

/**
 * The text a needle takes in one encoding. base64 forms are found at any byte offset of a larger
 * base64 text: the three alignments of the needle, without the characters its neighbours share.
 */
export function encodedForms(needle: string, encoding: Encoding): string[] {
  const bytes = Buffer.from(needle)
  switch (encoding) {
    case 'raw':
      return [needle]
    case 'hex':
      return [bytes.toString('hex'), bytes.toString('hex').toUpperCase()]
    case 'url':
      return [encodeURIComponent(needle)]
    case 'json':
      return [JSON.stringify(needle).slice(1, -1)]
    case 'base64':
    case 'base64url':
      return [0, 1, 2].map((pad) => {
        const text = Buffer.concat([Buffer.alloc(pad), bytes]).toString(encoding)
        return text.slice(Math.ceil((8 * pad) / 6), Math.floor((8 * (pad + bytes.length)) / 6))
      })
  }
}

/** Where a needle was found: the surface, the encoding, and the text around it. */
export interface Leak {
  readonly needle: string
  readonly encoding: Encoding | 'extra'
  readonly surface: string
  readonly context: string
}

interface Place {
  readonly surface: string
  readonly texts: string[]
}

/** The error chain of a value: the value itself when it is an error, then its causes (at most 10). */
function errorChain(value: unknown): Error[] {
  const chain: Error[] = []
  for (let e = value; e instanceof Error && chain.length < 10; e = e.cause) chain.push(e)
  return chain
}

/** Every text form of a value a person or a log pipeline could see. */
export function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  const texts = [inspect(value, { depth: 20, showHidden: true, getters: true })]
  try {
    texts.push(JSON.stringify(value) ?? '')
  } catch {
    // circular: inspect above covers it
  }
  try {
    texts.push(String(value))
  } catch {
    // an object without a string form (null prototype): inspect covers it
  }
  for (const e of errorChain(value)) {
    texts.push(e.name, e.message, e.stack ?? '', inspect(e, { showHidden: true, depth: 20 }))
    const hint = (e as { hint?: unknown }).hint
    if (typeof hint === 'string') texts.push(hint)
  }
  return texts
}

export interface LeakCanary {
  /** Record one place on a surface: a string as it is, anything else in all its text forms. */
  see(surface: string, value: unknown): void
  /**
   * Run one API call: its result is a place on 'result' (and is printed with console.log/error), its
   * error a place on 'error' (printed with console.error). Returns what happened for further checks.
   */
  attempt<T>(fn: () => Promise<T>): Promise<{ result?: T; error?: unknown }>
  /** Places recorded so far, per surface. */
  counts(): Record<string, number>
  /** Every text recorded so far, joined (for positive checks: the surfaces did show keys and codes). */
  text(): string
  /** Every hit of every needle in every encoding, plus `extra` texts searched as they are. */
  findLeaks(needles: readonly string[], extra?: readonly string[]): Leak[]
  /** Assert no needle shows anywhere; reports the counts when CANARY_REPORT is set. */
  expectNoLeak(needles: readonly string[], options?: { extra?: readonly string[] }): void
  /** Forget everything recorded (useLeakCanary does this before each test). */
  reset(): void
}

const realWrite = { out: process.stdout.write, err: process.stderr.write }

/** A collector without hooks: for a test that manages its own lifetime. */
export function createLeakCanary(file?: string): LeakCanary {
  const places: Place[] = []
  const canary: LeakCanary = {
    see(surface, value) {
      places.push({ surface, texts: textsOf(value) })
    },
    async attempt(fn) {
      try {
        const result = await fn()
        canary.see('result', result)
        console.log(result)
        console.error('result:', result)
        return { result }
      } catch (error) {
        canary.see('error', error)
        console.error(error)
        return { error }
      }
    },
    counts() {
      const counts: Record<string, number> = {}
      for (const p of places) counts[p.surface] = (counts[p.surface] ?? 0) + 1
      return counts
    },
    text() {
      return places.flatMap((p) => p.texts).join('\n')
    },
    findLeaks(needles, extra = []) {
      const searches = [
        ...needles.flatMap((needle) =>
          ENCODINGS.flatMap((encoding) =>
            encodedForms(needle, encoding).map((form) => ({ needle, encoding, form })),
          ),
        ),
        ...extra.map((form) => ({ needle: form, encoding: 'extra' as const, form })),
      ]
      const leaks: Leak[] = []
      for (const place of places)
        for (const text of place.texts)
          for (const { needle, encoding, form } of searches) {
            const at = form ? text.indexOf(form) : -1
            if (at >= 0)
              leaks.push({
                needle,
                encoding,
                surface: place.surface,
                context: text.slice(Math.max(0, at - 600), at + form.length + 100),
              })
          }
      return leaks
    },
    expectNoLeak(needles, options = {}) {
      const extra = options.extra ?? []
      expect(needles.length, 'a canary check needs needles').toBeGreaterThan(0)
      expect(places.length, 'a canary check needs places to look at').toBeGreaterThan(0)
      for (const needle of needles) expect(needle.length, 'needles must be non-empty').toBeGreaterThan(3)
      const leaks = canary.findLeaks(needles, extra)
      report(file, canary.counts(), needles.length, extra.length, leaks.length)
      for (const leak of leaks.slice(0, 3))
        realWrite.err.call(
          process.stderr,
          `\nLEAK (${leak.encoding}) on ${leak.surface}: …${leak.context}…\n`,
        )
      const where = leaks.map((l) => `${l.encoding} form of ${l.needle.slice(0, 12)}… on ${l.surface}`)
      expect(leaks.length, `values shown on an output surface: ${[...new Set(where)].join('; ')}`).toBe(0)
    },
    reset() {
      places.length = 0
    },
  }
  return canary
}

/**
 * A canary for the tests of a file or describe block: reset before each test, with process.stdout,
 * process.stderr and console captured as surfaces (console as it would format). `output: false` leaves
 * them alone.
 */
export function useLeakCanary(options: { output?: boolean } = {}): LeakCanary {
  const canary = createLeakCanary()
  beforeEach(() => {
    canary.reset()
    if (options.output === false) return
    for (const stream of ['stdout', 'stderr'] as const)
      process[stream].write = ((chunk: unknown) => {
        canary.see(stream, String(chunk))
        return true
      }) as typeof process.stdout.write
    // vitest routes console output around process.stdout; capture it as console would format it
    for (const method of ['log', 'error', 'warn', 'info', 'debug'] as const)
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) =>
        canary.see('console', format(...args)),
      )
  })
  afterEach(() => {
    if (options.output === false) return
    process.stdout.write = realWrite.out
    process.stderr.write = realWrite.err
    vi.restoreAllMocks()
  })
  return canary
}

/** One line per check in CANARY_REPORT/<test file>.jsonl, summed by scripts/canary.mjs. */
function report(
  file: string | undefined,
  surfaces: Record<string, number>,
  needles: number,
  extra: number,
  occurrences: number,
): void {
  const dir = process.env.CANARY_REPORT
  if (!dir) return
  mkdirSync(dir, { recursive: true })
  const name = relative(process.cwd(), file ?? expect.getState().testPath ?? 'unknown')
  const line = {
    file: name,
    test: expect.getState().currentTestName ?? '',
    surfaces,
    places: Object.values(surfaces).reduce((a, b) => a + b, 0),
    needles,
    encodings: ENCODINGS.length,
    extra,
    occurrences,
  }
  appendFileSync(join(dir, `${name.replace(/[^\w.-]+/g, '_')}.jsonl`), `${JSON.stringify(line)}\n`)
}
