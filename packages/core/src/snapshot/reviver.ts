/**
 * While values are served from the snapshot, asks the stores again in the background — with backoff
 * and jitter, so a fleet that started during an outage does not hammer the store when it returns —
 * until each key is answered. A store's answer replaces the snapshot's value in the cache (and
 * watchers see it on their next poll); a key the store says is gone leaves the snapshot.
 */
import type { Kind } from '../provider.js'
import type { SnapshotSettings } from './options.js'

/** Re-reads keys through the manager, bypassing the cache. Never rejects. */
export type ReviveReads = (keys: readonly string[], kind: Kind | undefined) => Promise<void>

export class Reviver {
  /** Keys served from the snapshot, by lookup: the key and kind hint the caller read them with. */
  readonly #serving = new Map<string, { key: string; kind: Kind | undefined }>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #delay: number
  #closed = false

  constructor(
    private readonly settings: Pick<SnapshotSettings, 'retryInterval' | 'maxRetryInterval'>,
    private readonly revive: ReviveReads,
  ) {
    this.#delay = settings.retryInterval
  }

  /** A read was just served from the snapshot. */
  serving(lookup: string, key: string, kind: Kind | undefined): void {
    if (this.#closed) return
    this.#serving.set(lookup, { key, kind })
    if (this.#timer === undefined) this.#arm()
  }

  /** A store answered for this lookup (a value, or not-found): nothing more to retry for it. */
  answered(lookup: string): void {
    if (!this.#serving.delete(lookup) || this.#serving.size > 0) return
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#delay = this.settings.retryInterval
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#serving.clear()
  }

  #arm(): void {
    const jittered = this.#delay * (0.8 + Math.random() * 0.4)
    this.#timer = setTimeout(() => void this.#tick(), jittered)
    this.#timer.unref?.()
  }

  async #tick(): Promise<void> {
    const byKind = new Map<Kind | undefined, string[]>()
    for (const { key, kind } of this.#serving.values()) byKind.set(kind, [...(byKind.get(kind) ?? []), key])
    await Promise.all([...byKind].map(([kind, keys]) => this.revive(keys, kind).catch(() => {})))
    if (this.#closed || this.#serving.size === 0) {
      this.#timer = undefined
      return
    }
    this.#delay = Math.min(this.#delay * 2, this.settings.maxRetryInterval)
    this.#arm()
  }
}
