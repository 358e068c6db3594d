import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { type BatchResult, type Entry, type GetOptions, mapLimit } from '@polysecret/core'
import { chunk } from './batching.js'
import { awsErrorName, batchItemError, isNotFound, isUnknownOperation, toPolysecretError } from './errors.js'
import {
  isScheduledForDeletion,
  payloadToEntry,
  type SecretPayload,
  type SecretRef,
} from './secret-payload.js'

type Sdk = typeof import('@aws-sdk/client-secrets-manager')

/** BatchGetSecretValue accepts at most 20 ids per call. */
const BATCH_SIZE = 20
/** Whole-call answers to BatchGetSecretValue that mean "this identity may not batch". */
const BATCH_REFUSED = new Set(['AccessDeniedException', 'AccessDenied'])

/** What the batch reader needs from its provider. */
export interface BatchReaderContext {
  readonly provider: string
  readonly concurrency: number
  /** Use BatchGetSecretValue at all (`batch` option). */
  readonly batch: boolean
  connect(): Promise<{ sdk: Sdk; client: SecretsManagerClient }>
  parse(key: string): SecretRef
  /** GetSecretValue; `undefined` when missing. */
  fetch(ref: SecretRef, opts: GetOptions): Promise<SecretPayload | undefined>
}

/**
 * `getMany` for Secrets Manager: BatchGetSecretValue in chunks of 20 (chunks in parallel, bounded),
 * per-id `Errors` mapped (not-found → missing), and a fallback to single GetSecretValue calls that
 * sticks once the identity is refused the batch call or the endpoint does not know it.
 */
export function batchReader(ctx: BatchReaderContext) {
  let batching = ctx.batch
  const fail = (error: unknown, key?: string) => toPolysecretError(error, { key, provider: ctx.provider })

  async function batched(refs: Map<string, SecretRef[]>, signal: AbortSignal | undefined, result: Collector) {
    const { sdk, client } = await ctx.connect()
    const failed: { ids: string[]; error: unknown }[] = []
    await mapLimit(chunk([...refs.keys()], BATCH_SIZE), ctx.concurrency, async (ids) => {
      try {
        let token: string | undefined
        do {
          const input = { SecretIdList: ids, NextToken: token }
          const out = await client.send(new sdk.BatchGetSecretValueCommand(input), { abortSignal: signal })
          for (const value of out.SecretValues ?? []) {
            const id = refs.has(value.Name ?? '') ? value.Name : value.ARN
            for (const r of refs.get(id ?? '') ?? [])
              result.put(r, () => payloadToEntry(value, r, ctx.provider))
          }
          for (const item of out.Errors ?? []) {
            const error = batchItemError(item.ErrorCode, item.Message)
            if (isNotFound(error) || isScheduledForDeletion(error)) continue
            for (const r of refs.get(item.SecretId ?? '') ?? []) result.errors.set(r.key, fail(error, r.key))
          }
          token = out.NextToken
        } while (token)
      } catch (error) {
        // The identity may not batch (IAM), or the endpoint does not know the call: read singly from now
        // on. Credential failures (expired token, bad signature) are not this: single reads would fail too.
        if (BATCH_REFUSED.has(awsErrorName(error)) || isUnknownOperation(error)) batching = false
        failed.push({ ids, error })
      }
    })
    return failed
  }

  async function singly(
    ids: readonly string[],
    refs: Map<string, SecretRef[]>,
    signal: AbortSignal | undefined,
    result: Collector,
  ) {
    const failures = await mapLimit(ids, ctx.concurrency, async (id) => {
      const group = refs.get(id) ?? []
      try {
        const out = await ctx.fetch(group[0] as SecretRef, { signal })
        if (out) for (const r of group) result.put(r, () => payloadToEntry(out, r, ctx.provider))
        return undefined
      } catch (error) {
        for (const r of group) result.errors.set(r.key, fail(error, r.key))
        return error
      }
    })
    // Nothing read and every read failed: the store is down or refusing — one error says so better
    // than N copies.
    const failed = failures.filter((f) => f !== undefined)
    if (failed.length > 0 && failed.length === ids.length && result.entries.size === 0) throw fail(failed[0])
  }

  return async function getMany(
    keys: readonly string[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<BatchResult> {
    const result = new Collector(ctx.provider)
    // Secret id → the keys reading it (`db#user` and `db#password` share one id).
    const refs = new Map<string, SecretRef[]>()
    for (const key of keys) {
      try {
        const r = ctx.parse(key)
        refs.set(r.secretId, [...(refs.get(r.secretId) ?? []), r])
      } catch (error) {
        result.errors.set(key, fail(error, key))
      }
    }
    if (refs.size === 0) return result.done()
    if (!batching) {
      await singly([...refs.keys()], refs, opts.signal, result)
      return result.done()
    }
    const failed = await batched(refs, opts.signal, result)
    if (failed.length > 0 && !batching) {
      await singly(
        failed.flatMap((f) => f.ids),
        refs,
        opts.signal,
        result,
      )
      return result.done()
    }
    // Every chunk failed: the store is down or refusing — one error says so better than N copies.
    if (failed.length > 0 && failed.flatMap((f) => f.ids).length === refs.size) throw fail(failed[0]?.error)
    for (const { ids, error } of failed) {
      for (const id of ids) for (const r of refs.get(id) ?? []) result.errors.set(r.key, fail(error, r.key))
    }
    return result.done()
  }
}

/** Collects a batch read; a per-key conversion failure (bad JSON for `#field`) becomes that key's error. */
class Collector {
  readonly entries = new Map<string, Entry>()
  readonly errors = new Map<string, Error>()
  constructor(private readonly provider: string) {}
  put(r: SecretRef, make: () => Entry | undefined): void {
    try {
      const entry = make()
      if (entry) this.entries.set(r.key, entry)
    } catch (error) {
      this.errors.set(r.key, toPolysecretError(error, { key: r.key, provider: this.provider }))
    }
  }
  done(): BatchResult {
    return { entries: this.entries, errors: this.errors }
  }
}
