/**
 * The generation report as text, for the CLI and logs. Built from the report alone, which holds keys,
 * providers, statuses and masked shapes — never a value.
 */
import type { GenerateReport, GenerateTargetResult } from './run.js'

const VERB: Record<GenerateTargetResult['status'], string> = {
  written: 'wrote',
  'would-write': 'would write',
  'skipped-exists': 'skipped',
  failed: 'FAILED',
}

function line(r: GenerateTargetResult): string {
  const what =
    r.action === 'copy'
      ? `${VERB[r.status]} (copy)`
      : r.action === 'overwrite'
        ? `${VERB[r.status]} (overwrite)`
        : VERB[r.status]
  const notes: string[] = []
  if (r.masked) notes.push(r.masked)
  if (r.copiedFrom && !r.masked) notes.push(`from ${r.copiedFrom}`)
  if (r.status === 'skipped-exists') {
    notes.push(
      r.templateChanged === true
        ? 'exists; TEMPLATE CHANGED — rerun with overwrite to regenerate'
        : r.templateChanged === false
          ? 'exists; template unchanged'
          : 'exists; no generation record',
    )
  }
  if (r.version !== undefined) notes.push(`version ${r.version}`)
  if (r.status !== 'failed' && r.status !== 'skipped-exists') notes.push(`record: ${r.metadata}`)
  if (r.error) notes.push(`${r.error.code}: ${r.error.message}`)
  if (r.metadataError) notes.push(`record not written (${r.metadataError.code}: ${r.metadataError.message})`)
  return `  ${what.padEnd(24)} ${r.key} → ${r.provider}${notes.length ? `  ${notes.join('; ')}` : ''}`
}

/** The report as lines of text: a heading, one line per target, and a summary. */
export function formatGenerateReport(report: GenerateReport): string {
  const count = (s: GenerateTargetResult['status']) => report.results.filter((r) => r.status === s).length
  const heading = `generate${report.spec ? ` ${report.spec}` : ''}${report.dryRun ? ' (dry run: nothing written)' : ''}`
  const summary = [
    report.dryRun ? `${count('would-write')} to write` : `${count('written')} written`,
    `${count('skipped-exists')} skipped`,
    `${count('failed')} failed`,
    ...(report.templateChanged.length ? [`template changed: ${report.templateChanged.join(', ')}`] : []),
  ].join(', ')
  return [heading, ...report.results.map(line), summary].join('\n')
}
