/** Vault durations: whole seconds as a number or numeric string, or Go-style `1h30m`, `45s`, `10m`. */
export function parseDuration(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return Number(value)
    const parts = [...value.matchAll(/(\d+)(ms|s|m|h|d)/g)]
    if (parts.length > 0 && parts.map((p) => p[0]).join('') === value) {
      const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 } as const
      return Math.floor(parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0))
    }
  }
  throw new TypeError(
    `${name} must be whole seconds or a duration like "1h30m", got ${JSON.stringify(value)}`,
  )
}

/** How Vault prints a duration in metadata (`delete_version_after`): `0s`, `1h0m0s`, `90s` → `1m30s`. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s'
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  if (h > 0) return `${h}h${m}m${s}s`
  if (m > 0) return `${m}m${s}s`
  return `${s}s`
}
