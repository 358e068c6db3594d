/**
 * Template helpers: the whole list of what a template can do to a value. Each takes the piped value
 * (text) and literal arguments, and is checked when the spec is parsed — a wrong argument fails before
 * anything is generated.
 */
import { createHash } from 'node:crypto'
import { ValidationError } from '../errors.js'
import { loadBcrypt } from './optional-modules.js'

interface Helper {
  /** What the helper does, for the docs and error messages. */
  readonly summary: string
  checkArgs(args: readonly (string | number)[]): void
  apply(value: string, args: readonly (string | number)[]): string | Promise<string>
}

const noArgs = (name: string) => (args: readonly unknown[]) => {
  if (args.length > 0) throw new ValidationError(`helper "${name}" takes no arguments`)
}

const digest = (algorithm: 'sha256' | 'sha512'): Helper => ({
  summary: `${algorithm} digest of the value, hex`,
  checkArgs: noArgs(algorithm),
  apply: (value) => createHash(algorithm).update(value, 'utf8').digest('hex'),
})

/** bcrypt reads at most 72 bytes; a longer password would be checked on its first 72 bytes only. */
const BCRYPT_MAX_BYTES = 72

export const HELPERS = {
  base64: {
    summary: 'base64 of the value (UTF-8)',
    checkArgs: noArgs('base64'),
    apply: (value) => Buffer.from(value, 'utf8').toString('base64'),
  },
  base64url: {
    summary: 'base64url of the value (UTF-8), no padding',
    checkArgs: noArgs('base64url'),
    apply: (value) => Buffer.from(value, 'utf8').toString('base64url'),
  },
  hex: {
    summary: 'hex of the value (UTF-8)',
    checkArgs: noArgs('hex'),
    apply: (value) => Buffer.from(value, 'utf8').toString('hex'),
  },
  sha256: digest('sha256'),
  sha512: digest('sha512'),
  bcrypt: {
    summary: 'bcrypt hash ($2b$) of the value; optional cost 4–15, default 12',
    checkArgs(args) {
      const [cost, ...more] = args
      if (
        more.length > 0 ||
        (cost !== undefined && (!Number.isInteger(cost) || Number(cost) < 4 || Number(cost) > 15))
      )
        throw new ValidationError('helper "bcrypt" takes one optional cost from 4 to 15')
    },
    async apply(value, args) {
      if (Buffer.byteLength(value, 'utf8') > BCRYPT_MAX_BYTES) {
        throw new ValidationError(
          `helper "bcrypt": the value is longer than bcrypt's ${BCRYPT_MAX_BYTES} bytes, so only its start would be checked.`,
          { hint: 'Generate a shorter password (length ≤ 72) for a bcrypt-hashed key.' },
        )
      }
      const bcrypt = await loadBcrypt('The "bcrypt" template helper')
      return bcrypt.hash(value, (args[0] as number | undefined) ?? 12)
    },
  },
  json: {
    summary: 'the value as a JSON string literal, quotes included',
    checkArgs: noArgs('json'),
    apply: (value) => JSON.stringify(value),
  },
  urlencode: {
    summary: 'percent-encoded for a URL component (user-info, query value)',
    checkArgs: noArgs('urlencode'),
    apply: (value) => encodeURIComponent(value),
  },
  oneline: {
    summary: 'line breaks written as \\n (a PEM in a one-line .env value)',
    checkArgs: noArgs('oneline'),
    apply: (value) => value.replace(/\r?\n/g, '\\n'),
  },
  trim: {
    summary: 'surrounding whitespace removed',
    checkArgs: noArgs('trim'),
    apply: (value) => value.trim(),
  },
  upper: { summary: 'upper case', checkArgs: noArgs('upper'), apply: (value) => value.toUpperCase() },
  lower: { summary: 'lower case', checkArgs: noArgs('lower'), apply: (value) => value.toLowerCase() },
} satisfies Record<string, Helper>

export type HelperName = keyof typeof HELPERS

/** Applies a pipeline of helpers to a value, left to right. */
export async function applyPipeline(
  value: string,
  pipeline: readonly { helper: HelperName; args: readonly (string | number)[] }[],
): Promise<string> {
  let out = value
  for (const { helper, args } of pipeline) out = await (HELPERS[helper] as Helper).apply(out, args)
  return out
}
