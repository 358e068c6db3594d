/**
 * Everything the CLI prints goes through here, so masking has one home: a secret is printed only when
 * the user passed --reveal (or, for `export`, --include-secrets), and never by `--json` without it.
 */
import { Secret } from '@polysecret/core'

/** What a masked value prints as: fixed width, so it says nothing about the value's length. */
export const MASK = '********'

export interface Io {
  out(text: string): void
  err(text: string): void
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
}

/** The printable form of a value: parameters as they are, secrets masked unless revealed. */
export function shown(value: Secret | string | undefined, reveal: boolean): string {
  if (value === undefined) return ''
  if (value instanceof Secret) return reveal ? value.reveal() : MASK
  return value
}

/** Whether a value is secret material (a Secret, or anything the caller says is a secret). */
export function isSecretValue(value: unknown): boolean {
  return value instanceof Secret
}

/** Plain aligned columns (like kubectl), no borders: easy to read and to `grep`/`awk`. */
export async function formatTable(head: readonly string[], rows: readonly (readonly string[])[]): Promise<string> {
  if (rows.length === 0) return ''
  const { default: Table } = await import('cli-table3')
  const table = new Table({
    head: [...head],
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '',
      'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '',
      right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  })
  for (const row of rows) table.push([...row])
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2)
}
