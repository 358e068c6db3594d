import type { NamespaceSyncResult } from './pass.js'

/**
 * A sync result as text, one line per change, values masked — what `polysecret sync --dry-run`
 * prints. Data keys appear with `+` (added), `~` (changed) or `-` (removed), never with a value,
 * a length or a checksum.
 */
export function formatSyncResult(result: NamespaceSyncResult): string {
  const sign = { create: '+', update: '~', replace: '±', delete: '-', skip: '!', hold: '=' } as const
  const lines = [
    `sync ${result.sync}${result.dryRun ? ' (dry run: nothing written)' : ''}: ${result.namespaces.length} namespace(s), ${result.changes.length} change(s), ${result.unchanged} unchanged`,
  ]
  for (const c of result.changes) {
    const where = `${c.namespace}/${c.secret}`
    const parts: string[] = []
    if (c.diff?.type) parts.push(`type ${c.diff.type.from ?? '∅'} → ${c.diff.type.to ?? '∅'}`)
    for (const [key, how] of Object.entries(c.diff?.data ?? {}))
      parts.push(`${how === 'added' ? '+' : how === 'removed' ? '-' : '~'}${key}: ***`)
    if (c.diff?.immutable) parts.push(`immutable ${c.diff.immutable.from} → ${c.diff.immutable.to}`)
    if (c.diff?.metadata.length) parts.push(`metadata: ${c.diff.metadata.join(', ')}`)
    const outcome =
      c.outcome === 'ok' || c.outcome === 'planned'
        ? ''
        : ` [${c.outcome}${c.error ? `: ${c.error.code}` : ''}]`
    lines.push(
      `${sign[c.action]} ${c.action} ${where}${parts.length ? ` (${parts.join('; ')})` : ''}${outcome}`,
    )
  }
  for (const e of result.errors)
    if (!e.namespace || !result.changes.some((c) => c.error === e.error))
      lines.push(
        `✖ ${e.namespace ? `${e.namespace}/` : ''}${e.secret ?? ''} [${e.error.code}] ${e.error.message}`,
      )
  return lines.join('\n')
}
