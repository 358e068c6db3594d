import type { Parameter, SSMClient } from '@aws-sdk/client-ssm'
import { type BatchResult, type Entry, mapLimit, type PolysecretError } from '@polysecret/core'
import { chunk } from './batching.js'
import { awsErrorName } from './errors.js'
import type { ParameterNames } from './key-mapping.js'

type Sdk = typeof import('@aws-sdk/client-ssm')

/** GetParameters accepts at most 10 names per call. */
const BATCH_SIZE = 10

/** What the batch reader needs from its provider. */
export interface BatchReaderContext {
  readonly names: ParameterNames
  readonly decrypt: boolean
  /** Most GetParameters calls in flight at once. */
  readonly concurrency: number
  connect(): Promise<{ sdk: Sdk; client: SSMClient }>
  fail(error: unknown, key?: string): PolysecretError
  toEntry(p: Parameter): Entry
}

/** Names one GetParameters call could not read, and why; `split` when the call was divided first. */
interface BatchFailure {
  readonly names: readonly string[]
  readonly error: unknown
  readonly split: boolean
}

/**
 * `getMany` for Parameter Store: GetParameters, 10 names per call, calls in parallel (bounded).
 *
 * SSM refuses a whole call for one bad name (ValidationException), so one key such as `LOG LEVEL`
 * would fail every key of its batch. Names are therefore checked before any call (`names.name`: that
 * key alone gets a ValidationError naming the provider), and a call the service still refuses is split
 * in halves until the names it refuses stand alone, so the others load.
 */
export function batchReader(ctx: BatchReaderContext) {
  return async function getMany(
    keyList: readonly string[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<BatchResult> {
    const entries = new Map<string, Entry>()
    const errors = new Map<string, Error>()
    const byName = new Map<string, string[]>()
    for (const key of keyList) {
      try {
        const n = ctx.names.name(key)
        byName.set(n, [...(byName.get(n) ?? []), key])
      } catch (error) {
        errors.set(key, ctx.fail(error, key))
      }
    }

    const readBatch = async (batch: string[]): Promise<BatchFailure[]> => {
      try {
        const { sdk, client } = await ctx.connect()
        const input = { Names: batch, WithDecryption: ctx.decrypt }
        const out = await client.send(new sdk.GetParametersCommand(input), { abortSignal: opts.signal })
        // Names in InvalidParameters do not exist: they are simply left out.
        for (const p of out.Parameters ?? [])
          for (const key of byName.get(p.Name ?? '') ?? []) entries.set(key, ctx.toEntry(p))
        return []
      } catch (error) {
        if (batch.length < 2 || awsErrorName(error) !== 'ValidationException') {
          return [{ names: batch, error, split: false }]
        }
        const half = Math.ceil(batch.length / 2)
        const parts = [...(await readBatch(batch.slice(0, half))), ...(await readBatch(batch.slice(half)))]
        return parts.map((f) => ({ ...f, split: true }))
      }
    }

    const chunks = chunk([...byName.keys()], BATCH_SIZE)
    const failed = (await mapLimit(chunks, ctx.concurrency, readBatch)).flat()
    // Every call failed as a whole: the store is down or refusing — one error says so better than N copies.
    if (failed.length > 0 && failed.length === chunks.length && !failed.some((f) => f.split)) {
      throw ctx.fail(failed[0]?.error)
    }
    for (const { names, error } of failed) {
      for (const n of names) for (const key of byName.get(n) ?? []) errors.set(key, ctx.fail(error, key))
    }
    return { entries, errors }
  }
}
