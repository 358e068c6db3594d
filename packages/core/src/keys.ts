import { ValidationError } from './errors.js'

/** Validates a key: a non-empty string without control characters. */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new ValidationError(
      `A key must be a non-empty string, got ${key === '' ? 'an empty string' : typeof key}.`,
      {
        hint: 'Pass the key name, e.g. manager.get("DB_PASSWORD").',
      },
    )
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (key.length > 2048 || /[\u0000-\u001f\u007f]/.test(key)) {
    throw new ValidationError(
      `Key ${JSON.stringify(key.slice(0, 64))} is invalid: keys are at most 2048 characters without control characters.`,
    )
  }
}

/** Cache key prefixes, two characters each (`invalidate` strips them). */
