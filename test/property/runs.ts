/**
 * How many inputs each property sees. The suite's properties together check well over 10,000 generated
 * inputs per run (docs/reliability.md lists them); `PROPERTY_RUNS_SCALE=10` runs ten times as many
 * for a deeper local search. fast-check prints the seed and the shrunk counterexample of a failure,
 * and `fc.assert(..., { seed, path })` replays it.
 */
import fc from 'fast-check'

const scale = Number(process.env.PROPERTY_RUNS_SCALE ?? 1)

export function runs(base: number): number {
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)))
}

/** Strings a user or a store might send: ASCII, full Unicode, control characters and lone surrogates. */
export const anyText = (maxLength = 64) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.stringMatching(/^[\w .:/#=$"'`\\\n\r\t-]{0,40}$/),
  )

/** A secret-shaped canary: whatever a parser does with it, its content must not reach an error. */
export const canary = fc.stringMatching(/^[a-z]{4}[0-9]{4}$/).map((s) => `CANARY${s}XYZ`)
