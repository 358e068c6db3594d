/**
 * A source of randomness for fakes: seeded (deterministic, for reproducible fault patterns and ids) or
 * `Math.random`. Kept tiny so every fake shares one definition of "seeded".
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number
  /** `length` characters drawn from `alphabet`. */
  string(length: number, alphabet?: string): string
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * Creates a random source. With a `seed`, the sequence is fixed (mulberry32 — small, fast and good
 * enough to spread fault decisions; not for cryptography).
 */
export function createRandom(seed?: number): Random {
  let next: () => number = Math.random
  if (seed !== undefined) {
    let a = seed >>> 0
    next = () => {
      a = (a + 0x6d2b79f5) >>> 0
      let t = a
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    string(length, alphabet = ALNUM) {
      let out = ''
      for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)]
      return out
    },
  }
}

/** A UUID v4 drawn from `random`, so seeded fakes hand out reproducible version ids. */
export function randomUuid(random: Random): string {
  const hex = random.string(32, '0123456789abcdef').split('')
  hex[12] = '4'
  hex[16] = '89ab'[random.int(0, 3)]!
  const h = hex.join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
