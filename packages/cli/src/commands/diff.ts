import { type ManyResult, revealValue, type Secret } from '@polysecret/core'
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { CliError } from '../exit-codes.js'
import { formatTable, shown, toJson } from '../output.js'
import { chainKind } from './store-kind.js'
import { providerNamed, storeKeys, storeManager } from './store-access.js'

type Status = 'same' | 'differs' | 'only left' | 'only right'

interface Row {
  key: string
  status: Status
  left: Secret | string | undefined
  right: Secret | string | undefined
}

function compare(key: string, left: Secret | string | undefined, right: Secret | string | undefined): Row {
  const status: Status =
    left === undefined ? 'only right' : right === undefined ? 'only left' : revealValue(left) === revealValue(right) ? 'same' : 'differs'
  return { key, status, left, right }
}

function failOn(result: ManyResult): void {
  const error = Object.values(result.errors).find((e) => e.code !== 'NOT_FOUND')
  if (error) throw error
}

async function diffStores(ctx: CliContext, leftName: string, rightName: string, prefix: string): Promise<Row[]> {
  const manager = await ctx.manager()
  const [left, right] = [providerNamed(manager, leftName), providerNamed(manager, rightName)]
  const keys = new Set([...(await storeKeys(ctx, left, prefix)), ...(await storeKeys(ctx, right, prefix))].map((k) => k.key))
  const kindOf = (p: typeof left) => {
    const kind = chainKind(manager, p)
    return kind ? { kind } : {}
  }
  const [l, r] = await Promise.all([
    storeManager(ctx, left).getMany([...keys], kindOf(left)),
    storeManager(ctx, right).getMany([...keys], kindOf(right)),
  ])
  failOn(l)
  failOn(r)
  return [...keys].sort().map((key) => compare(key, l.values[key], r.values[key]))
}

async function diffVersions(ctx: CliContext, key: string, a: string, b: string, provider: string | undefined): Promise<Row[]> {
  const manager = await ctx.manager()
  const reader = provider ? storeManager(ctx, providerNamed(manager, provider)) : manager
  const [left, right] = await Promise.all([
    reader.getWithMetadata(key, { version: a }),
    reader.getWithMetadata(key, { version: b }),
  ])
  return [compare(key, left.value, right.value)]
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description('compare two stores (every key), or two versions of one key (--key); secret values masked unless --reveal')
    .argument('<left>', 'a store name (or a version, with --key)')
    .argument('<right>', 'a store name (or a version, with --key)')
    .option('--prefix <prefix>', 'only keys starting with this (stores)', '')
    .option('--key <key>', 'compare two versions of this key instead of two stores')
    .option('--provider <store>', 'with --key: read the versions from this store')
    .option('--changes-only', 'leave out keys that are the same')
    .addHelpText('after', '\nExamples:\n  polysecret diff local aws-sm\n  polysecret diff --key DB_PASSWORD 3 4')
    .action(async (left: string, right: string, opts: { prefix: string; key?: string; provider?: string; changesOnly?: boolean }) => {
      if (opts.provider && !opts.key) throw new CliError('--provider goes with --key.')
      const all = opts.key ? await diffVersions(ctx, opts.key, left, right, opts.provider) : await diffStores(ctx, left, right, opts.prefix)
      const rows = opts.changesOnly ? all.filter((r) => r.status !== 'same') : all
      const reveal = ctx.options.reveal === true
      if (ctx.options.json) {
        ctx.io.out(toJson(rows.map((r) => ({ key: r.key, status: r.status, left: r.left === undefined ? null : shown(r.left, reveal), right: r.right === undefined ? null : shown(r.right, reveal) }))))
        return
      }
      if (rows.length === 0) return ctx.note('no differences')
      ctx.io.out(
        await formatTable(
          ['KEY', 'STATUS', left.toUpperCase(), right.toUpperCase()],
          rows.map((r) => [r.key, r.status, r.left === undefined ? '-' : shown(r.left, reveal), r.right === undefined ? '-' : shown(r.right, reveal)]),
        ),
      )
    })
}
