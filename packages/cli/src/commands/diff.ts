import { type ConfigManager, type ManyResult, revealValue, Secret } from '@polysecret/core'
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { CliError } from '../exit-codes.js'
import { MASK } from '../mask.js'
import { formatTable, toJson } from '../output.js'
import { providerNamed, storeKeys, storeManager } from './store-access.js'
import { chainKind } from './store-kind.js'

type Status = 'same' | 'differs' | 'only left' | 'only right'

interface Row {
  key: string
  status: Status
  left: string | undefined
  right: string | undefined
  /** Either side is secret material (by its store's chain, its name or its value): both sides are masked. */
  secret: boolean
}

type Value = Secret | string | undefined

function compare(manager: ConfigManager, key: string, left: Value, right: Value): Row {
  const [l, r] = [
    left === undefined ? undefined : revealValue(left),
    right === undefined ? undefined : revealValue(right),
  ]
  const status: Status =
    l === undefined ? 'only right' : r === undefined ? 'only left' : l === r ? 'same' : 'differs'
  const secret =
    left instanceof Secret ||
    right instanceof Secret ||
    [l, r].some((v) => manager.classify(key, v).kind === 'secret')
  return { key, status, left: l, right: r, secret }
}

function failOn(result: ManyResult): void {
  const error = Object.values(result.errors).find((e) => e.code !== 'NOT_FOUND')
  if (error) throw error
}

async function diffStores(
  ctx: CliContext,
  leftName: string,
  rightName: string,
  prefix: string,
): Promise<Row[]> {
  const manager = await ctx.manager()
  const [left, right] = [providerNamed(manager, leftName), providerNamed(manager, rightName)]
  const keys = new Set(
    [...(await storeKeys(left, prefix)), ...(await storeKeys(right, prefix))].map((k) => k.key),
  )
  const kindOf = (p: typeof left) => {
    const kind = chainKind(manager, p)
    return kind ? { kind } : {}
  }
  const [l, r] = await Promise.all([
    storeManager(left).getMany([...keys], kindOf(left)),
    storeManager(right).getMany([...keys], kindOf(right)),
  ])
  failOn(l)
  failOn(r)
  return [...keys].sort().map((key) => compare(manager, key, l.values[key], r.values[key]))
}

async function diffVersions(
  ctx: CliContext,
  key: string,
  a: string,
  b: string,
  provider: string | undefined,
): Promise<Row[]> {
  const manager = await ctx.manager()
  const reader = provider ? storeManager(providerNamed(manager, provider)) : manager
  const [left, right] = await Promise.all([
    reader.getWithMetadata(key, { version: a }),
    reader.getWithMetadata(key, { version: b }),
  ])
  return [compare(manager, key, left.value, right.value)]
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description(
      'compare two stores (every key), or two versions of one key (--key); secret values masked unless --reveal',
    )
    .argument('<left>', 'a store name (or a version, with --key)')
    .argument('<right>', 'a store name (or a version, with --key)')
    .option('--prefix <prefix>', 'only keys starting with this (stores)', '')
    .option('--key <key>', 'compare two versions of this key instead of two stores')
    .option('--provider <store>', 'with --key: read the versions from this store')
    .option('--changes-only', 'leave out keys that are the same')
    .addHelpText(
      'after',
      '\nExamples:\n  polysecret diff local aws-sm\n  polysecret diff --key DB_PASSWORD 3 4',
    )
    .action(
      async (
        left: string,
        right: string,
        opts: { prefix: string; key?: string; provider?: string; changesOnly?: boolean },
      ) => {
        if (opts.provider && !opts.key) throw new CliError('--provider goes with --key.')
        const all = opts.key
          ? await diffVersions(ctx, opts.key, left, right, opts.provider)
          : await diffStores(ctx, left, right, opts.prefix)
        const rows = opts.changesOnly ? all.filter((r) => r.status !== 'same') : all
        const reveal = ctx.options.reveal === true
        const side = (r: Row, v: string | undefined) =>
          v === undefined ? null : r.secret && !reveal ? MASK : v
        if (ctx.options.json) {
          ctx.io.out(
            toJson(
              rows.map((r) => ({
                key: r.key,
                status: r.status,
                left: side(r, r.left),
                right: side(r, r.right),
              })),
            ),
          )
          return
        }
        if (rows.length === 0) return ctx.note('no differences')
        ctx.io.out(
          await formatTable(
            ['KEY', 'STATUS', left.toUpperCase(), right.toUpperCase()],
            rows.map((r) => [r.key, r.status, side(r, r.left) ?? '-', side(r, r.right) ?? '-']),
          ),
        )
      },
    )
}
