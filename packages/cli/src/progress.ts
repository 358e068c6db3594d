/**
 * Progress bars for bulk work (import, migrate, export, diff): drawn on stderr only when stderr is a
 * terminal and --quiet/--json are off, so pipes, CI logs and scripts get no control characters.
 * The bar shows counts and key names never — a key is not secret, but a bar is noise in a screenshot.
 */
export interface Progress {
  tick(): void
  stop(): void
}

const NONE: Progress = { tick() {}, stop() {} }

export async function startProgress(total: number, label: string, enabled: boolean): Promise<Progress> {
  if (!enabled || total === 0) return NONE
  const { default: cliProgress } = await import('cli-progress')
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total}`,
      hideCursor: true,
      clearOnComplete: false,
      // Always draw: the caller decided this is a terminal; cli-progress's own check looks at stdout.
      noTTYOutput: true,
    },
    cliProgress.Presets.shades_classic,
  )
  bar.start(total, 0)
  return {
    tick: () => bar.increment(),
    stop: () => bar.stop(),
  }
}
