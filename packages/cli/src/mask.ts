/**
 * Masking has one home: a secret is printed only when the user passed --reveal (or, for `export`,
 * --include-secrets), and never by `--json` without it.
 */
import { Secret } from '@polysecret/core'

/** What a masked value prints as: fixed width, so it says nothing about the value's length. */
export const MASK = '********'

/** The printable form of a value: parameters as they are, secrets masked unless revealed. */
export function shown(value: Secret | string | undefined, reveal: boolean): string {
  if (value === undefined) return ''
  if (value instanceof Secret) return reveal ? value.reveal() : MASK
  return value
}
