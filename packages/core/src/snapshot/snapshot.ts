/**
 * The offline snapshot: an encrypted last-known-good copy of what the manager read, so a service can
 * start while its stores are unreachable. The read engine tells it what each read found
 * ({@link Snapshot.remember}, {@link Snapshot.forget}) and asks it when every provider of a chain was
 * unreachable ({@link Snapshot.fallback}); the rest — when to write, when to ask the stores again —
 * lives here. See docs/snapshot.md.
 */
import {
  IntegrityError,
  PolysecretError,
  type ProviderAttempt,
  SnapshotExpiredError,
  UnavailableError,
} from '../errors.js'
import type { Kind } from '../provider.js'
import type { Header } from '../providers/encrypted-file-format.js'
import { wipe } from '../providers/encrypted-file-options.js'
import { type Route, Stored } from '../read-record.js'
import { revealValue } from '../secret.js'
import { type SnapshotEntry, SnapshotFileAccess } from './file.js'
import { resolveSnapshotSettings, type SnapshotOptions, type SnapshotSettings } from './options.js'
import { type ReviveReads, Reviver } from './reviver.js'

/** What the read engine asks of a snapshot: three calls, at the two places a read settles. */
export interface SnapshotHook {
  /** A current-version read found this value in a store (called for every successful provider read). */
  remember(route: Route, stored: Stored): void
  /** Every provider of the chain answered, and none has the key. */
  forget(route: Route): void
  /**
   * The read failed: the snapshot's record for it when the failure means every store holding it is
   * unreachable, `undefined` when the snapshot has nothing to offer. Throws `IntegrityError` when the
   * file cannot be used, `SnapshotExpiredError` when the value is older than `maxAge`.
   */
  fallback(
    requestKey: string,
    kind: Kind | undefined,
    route: Route,
    error: unknown,
  ): Promise<Stored | undefined>
}

export class Snapshot implements SnapshotHook {
  readonly #settings: SnapshotSettings
  readonly #file: SnapshotFileAccess
  /** Every value known, by lookup: the file's, then what this process read. */
  readonly #entries = new Map<string, SnapshotEntry>()
  /** Lookups the stores said are gone since the last write, so merging the file does not bring them back. */
  readonly #forgotten = new Set<string>()
  readonly #reviver: Reviver
  /** Resolves once the file has been read and merged into memory (reset on failure, to try again). */
  #loaded: Promise<void> | undefined
  #header: Header | undefined
  /** The file as this process last read or wrote it; a different stamp means someone else wrote it. */
  #stamp: string | undefined
  /** Something to write: `'change'` (keys, versions or values) or `'confirm'` (only read times). */
  #pending: 'change' | 'confirm' | undefined
  #lastWrite = Number.NEGATIVE_INFINITY
  #timer: ReturnType<typeof setTimeout> | undefined
  #timerFor: 'change' | 'confirm' | undefined
  #writing: Promise<void> = Promise.resolve()
  #closed = false
  /** The last problem reported, so a file that stays unusable is reported once, not on every write. */
  #reported: string | undefined

  constructor(options: SnapshotOptions, manager: string, revive: ReviveReads) {
    this.#settings = resolveSnapshotSettings(options)
    const { path, credentials, scrypt } = this.#settings
    this.#file = new SnapshotFileAccess(path, credentials, scrypt, manager)
    this.#reviver = new Reviver(this.#settings, revive)
  }

  remember(route: Route, stored: Stored): void {
    if (this.#closed || stored.value === undefined || stored.provider === undefined) return
    const lookup = route.cacheKey
    const previous = this.#entries.get(lookup)
    const entry: SnapshotEntry = {
      lookup,
      key: route.key,
      kind: stored.route.kind,
      reason: stored.route.reason,
      provider: stored.provider,
      version: stored.entry?.version,
      updatedAt: stored.entry?.updatedAt,
      labels: stored.entry?.labels,
      readAt: this.#settings.now(),
      value: stored.value,
    }
    this.#entries.set(lookup, entry)
    this.#forgotten.delete(lookup)
    this.#reviver.answered(lookup)
    const changed =
      previous === undefined ||
      previous.version !== entry.version ||
      previous.kind !== entry.kind ||
      previous.provider !== entry.provider ||
      revealValue(previous.value) !== revealValue(entry.value)
    this.#schedule(changed ? 'change' : 'confirm')
  }

  forget(route: Route): void {
    if (this.#closed) return
    this.#reviver.answered(route.cacheKey)
    if (this.#entries.delete(route.cacheKey)) {
      this.#forgotten.add(route.cacheKey)
      this.#schedule('change')
    }
  }

  async fallback(
    requestKey: string,
    kind: Kind | undefined,
    route: Route,
    error: unknown,
  ): Promise<Stored | undefined> {
    if (this.#closed || !unreachable(error)) return undefined
    try {
      await this.#load()
    } catch (problem) {
      throw new IntegrityError({
        key: route.key,
        tried: error.tried,
        cause: error,
        message: `Every store of the chain is unreachable for "${route.key}", and the snapshot cannot be used: ${(problem as Error).message}`,
      })
    }
    const entry = this.#entries.get(route.cacheKey)
    if (entry === undefined) return undefined
    // Only the store the value came from can vouch for it: if that one answered (not found), the
    // snapshot's copy is not served, whatever the others said.
    const holder = error.tried.find((t) => t.provider === entry.provider)
    if (holder?.outcome !== 'error') return undefined
    const age = this.#settings.now() - entry.readAt
    if (age > this.#settings.maxAge) {
      throw new SnapshotExpiredError({
        key: route.key,
        tried: error.tried,
        cause: error,
        readAt: new Date(entry.readAt),
        maxAge: this.#settings.maxAge,
        message: `Every store of the chain is unreachable for "${route.key}", and its snapshot value (read from "${entry.provider}" ${span(age)} ago) is older than snapshot.maxAge (${span(this.#settings.maxAge)}).`,
      })
    }
    this.#reviver.serving(route.cacheKey, requestKey, kind)
    const decided = entry.kind === route.kind ? route : { ...route, kind: entry.kind, reason: entry.reason }
    const text = revealValue(entry.value)
    return new Stored(
      decided,
      entry.value,
      {
        value: text,
        ...(entry.version !== undefined && { version: entry.version }),
        ...(entry.updatedAt !== undefined && { updatedAt: entry.updatedAt }),
        ...(entry.labels !== undefined && { labels: entry.labels }),
      },
      entry.provider,
      error.tried,
      0,
    )
  }

  /** Asks for a write as soon as possible (after a successful `load()`), still one at a time. */
  flushSoon(): void {
    if (this.#pending !== undefined) this.#arm(0, this.#pending)
  }

  /** Writes what is pending, stops the timers and forgets the credentials. */
  async close(): Promise<void> {
    if (this.#closed) return
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#reviver.close()
    if (this.#pending !== undefined) await this.#write()
    await this.#writing
    this.#closed = true
    wipe(this.#file.credentials)
  }

  /** Reads the file once and merges it into memory; a failure is thrown and tried again next time. */
  #load(): Promise<void> {
    this.#loaded ??= this.#sync().catch((error: unknown) => {
      this.#loaded = undefined
      throw error
    })
    return this.#loaded
  }

  /** Merges the file into memory when someone else wrote it since this process last did. */
  async #sync(): Promise<void> {
    const stamp = await this.#file.stamp()
    if (stamp === this.#stamp) return
    const { header, entries, stamp: read } = await this.#file.read()
    for (const entry of entries) {
      if (this.#forgotten.has(entry.lookup)) continue
      const mine = this.#entries.get(entry.lookup)
      if (mine === undefined || mine.readAt < entry.readAt) this.#entries.set(entry.lookup, entry)
    }
    this.#header = header
    this.#stamp = read
  }

  #schedule(kind: 'change' | 'confirm'): void {
    if (kind === 'change' || this.#pending === undefined) this.#pending = kind
    const interval =
      this.#pending === 'change' ? this.#settings.writeInterval : this.#settings.confirmInterval
    this.#arm(Math.max(0, this.#lastWrite + interval - this.#settings.now()), this.#pending)
  }

  /** Sets the write timer, unless one for the same or a more urgent reason is already set. */
  #arm(delay: number, reason: 'change' | 'confirm'): void {
    if (this.#closed) return
    if (this.#timer !== undefined && (this.#timerFor === 'change' || reason === 'confirm') && delay > 0)
      return
    clearTimeout(this.#timer)
    this.#timerFor = reason
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#write()
    }, delay)
    // A write due now (after load(), the first read) holds the process open until it is done, so a
    // short-lived script still leaves its snapshot; one due later never keeps a process alive.
    if (delay > 0) this.#timer.unref?.()
  }

  /** One write at a time: the file is checked (and merged) under the lock, then replaced. */
  #write(): Promise<void> {
    this.#writing = this.#writing.then(async () => {
      if (this.#pending === undefined) return
      this.#pending = undefined
      const now = this.#settings.now()
      this.#lastWrite = now
      try {
        await this.#file.locked(async () => {
          await this.#sync()
          const servable = [...this.#entries.values()].filter((e) => now - e.readAt <= this.#settings.maxAge)
          const written = await this.#file.write(this.#header, servable, now)
          this.#header = written.header
          this.#stamp = written.stamp
          this.#forgotten.clear()
          this.#loaded ??= Promise.resolve()
          this.#reported = undefined
        })
      } catch (error) {
        this.#report(error)
      }
    })
    return this.#writing
  }

  #report(error: unknown): void {
    const problem =
      error instanceof IntegrityError
        ? new IntegrityError({
            message: `The snapshot was not written: ${error.message}`,
            hint: 'The manager never overwrites a file it cannot open; delete it, or point snapshot.path elsewhere.',
          })
        : error instanceof PolysecretError
          ? error
          : new PolysecretError('The snapshot was not written.', { cause: error })
    if (problem.message === this.#reported) return
    this.#reported = problem.message
    if (this.#settings.onError) {
      try {
        this.#settings.onError(problem)
      } catch {
        // a broken listener must not break the manager
      }
    } else process.emitWarning(`polysecret: ${problem.message}`, { code: problem.code })
  }
}

/** An error meaning every provider asked was unreachable or did not have the key — nothing else. */
function unreachable(error: unknown): error is UnavailableError & { tried: readonly ProviderAttempt[] } {
  if (!(error instanceof UnavailableError) || error.tried.length === 0) return false
  return error.tried.every(
    (t) => t.outcome === 'not-found' || (t.outcome === 'error' && t.code === 'UNAVAILABLE'),
  )
}

/** A duration in words: `90 s`, `12 min`, `5 h`, `3 d`. */
function span(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)} h`
  return `${Math.round(ms / 86_400_000)} d`
}
