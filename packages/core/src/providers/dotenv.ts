/**
 * `dotenv({ path })` — keys from a `.env` file. Reads are re-done only when the file's stat changes;
 * writes (opt-in) replace one value in place and keep every comment and line.
 */

import type { DotenvDocument } from './dotenv-parse.js'
import { dotenvKeys, dotenvValue, parseDotenv, removeDotenv, setDotenv } from './dotenv-parse.js'
import { type FileFormat, type PlainFileOptions, plainFileProvider } from './plain-file.js'

/** Options for {@link dotenv}. */
export interface DotenvOptions extends PlainFileOptions {}

const format: FileFormat<DotenvDocument> = {
  parse: parseDotenv,
  read: dotenvValue,
  keys: dotenvKeys,
  write: setDotenv,
  remove: removeDotenv,
}

/**
 * A provider over a dotenv file (type `dotenv`).
 *
 * @example
 * ```ts
 * import { dotenv } from '@polysecret/core'
 * const local = dotenv({ path: '.env.local', writable: true })
 * ```
 */
export function dotenv(options: DotenvOptions) {
  return plainFileProvider('dotenv', format, options)
}
