/**
 * Everything the CLI prints goes through here (and mask.ts, which decides what a value prints as).
 * No import of core: `polysecret --help` loads only this, commander and the command list.
 */
export interface Io {
  out(text: string): void
  err(text: string): void
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
}

/** Plain aligned columns (like kubectl), no borders: easy to read and to `grep`/`awk`. */
export async function formatTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
): Promise<string> {
  if (rows.length === 0) return ''
  const { default: Table } = await import('cli-table3')
  const table = new Table({
    head: [...head],
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
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
