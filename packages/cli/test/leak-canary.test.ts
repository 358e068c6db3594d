/**
 * The CLI's leak canary: every command, against the AWS fakes and a local file that hold a canary
 * secret, with stdout and stderr captured. Without --reveal or --include-secrets the canary appears in
 * no output — not in tables, JSON, errors (--debug ones included), plans, diffs or stats.
 */
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useLeakCanary } from '../../../test/support/canary.js'
import { type AwsProject, awsProject } from './support/aws-project.js'
import { runCli, SUBPROCESS_TIMEOUT, transcript } from './support/run-cli.js'

// Each test starts the CLI as a process (node + tsx); on a loaded machine that takes seconds.
vi.setConfig({ testTimeout: SUBPROCESS_TIMEOUT, hookTimeout: SUBPROCESS_TIMEOUT })

const CANARY = 'canary-9e1f-CLI-LEAK-ME-NOT'
const ROTATED = 'canary-rotated-77c2aa'
const ZOD = pathToFileURL(createRequire(import.meta.url).resolve('zod')).href

let p: AwsProject
const cli = (args: string[], input?: string) =>
  runCli(args, { cwd: p.dir, ...(input !== undefined && { input }) })

beforeAll(async () => {
  p = await awsProject(
    { DB_PASSWORD: { versions: [`${CANARY}-old`, CANARY] } },
    { DB_HOST: 'db.internal', DATABASE_URL: `postgres://app:${CANARY}@db/app` },
    `LOCAL_API_KEY: ${CANARY}\n`,
  )
  writeFileSync(join(p.dir, 'rotated.txt'), ROTATED)
  writeFileSync(join(p.dir, 'in.env'), `IMPORTED_SECRET_TOKEN=${CANARY}\nIMPORTED_HOST=h\n`)
  writeFileSync(join(p.dir, 'broken.json'), `{ "A_SECRET": "${CANARY}", }`)
  writeFileSync(join(p.dir, 'broken.yaml'), `A_SECRET: "${CANARY}\n  - [`)
  writeFileSync(
    join(p.dir, 'schema.mjs'),
    `import { z } from '${ZOD}'\nexport default z.object({ DB_PASSWORD: z.string().max(5), LOCAL_API_KEY: z.string().regex(/^x$/), DATABASE_URL: z.string().max(3) })\n`,
  )
})
afterAll(() => p.stop())

describe('CLI leak canary', () => {
  const canary = useLeakCanary()
  it('no command prints a secret value unless asked to', async () => {
    const from = transcript.length
    const versions = JSON.parse((await cli(['versions', 'DB_PASSWORD', '--json'])).stdout) as {
      version: string
    }[]
    // Reads first, several at a time (they change nothing); then writes, in order.
    const reads: string[][] = [
      ['get', 'DB_PASSWORD'],
      ['get', 'DB_PASSWORD', '--json', '--metadata'],
      ['get', 'DATABASE_URL', '--metadata'],
      ['get', 'DATABASE_URL', '--json'],
      ['get', 'DB_PASSWORD', '--debug', '--version-id', 'no-such-version'],
      ['list', '--json'],
      ['classify', 'DB_PASSWORD', 'DATABASE_URL', '--json'],
      ['versions', 'DB_PASSWORD'],
      ['diff', '--key', 'DB_PASSWORD', versions[0]!.version, versions[1]!.version],
      ['diff', '--key', 'DB_PASSWORD', versions[0]!.version, versions[1]!.version, '--json'],
      ['validate', '--schema', 'schema.mjs'],
      ['validate', '--schema', 'schema.mjs', '--json'],
      ['export'],
      ['export', '--format', 'json', '--stats'],
      ['import', 'in.env', '--dry-run'],
      ['import', 'broken.json'],
      ['import', 'broken.yaml', '--debug'],
      ['migrate', '--from', 'aws-sm', '--to', 'local', '--stats'],
      ['migrate', '--from', 'aws-sm', '--to', 'local', '--json'],
      ['doctor', '--json'],
      ['run', '--', 'sh', '-c', 'test -n "$DB_PASSWORD"'],
      ['run', '--only', 'DB_PASSWORD,MISSING', '--', 'true'],
      ['run', '--schema', 'schema.mjs', '--', 'true'],
      ['stats', 'list'],
    ]
    for (let i = 0; i < reads.length; i += 4)
      await Promise.all(reads.slice(i, i + 4).map((args) => cli(args)))
    const writes: [string[], string?][] = [
      [['set', 'NEW_TOKEN', CANARY]],
      [['set', 'NEW_TOKEN'], CANARY],
      [['set', 'NEW_TOKEN', '--create-only'], CANARY],
      [['rollback', 'DB_PASSWORD', versions[1]!.version]],
      [['rotate', 'DB_PASSWORD', '--from-file', 'rotated.txt', '--json']],
      [['rotate', 'NEW_TOKEN']],
      [['import', 'in.env', '--include-secrets', '--to', 'local']],
      [['migrate', '--from', 'aws-sm', '--to', 'local', '--apply', '--overwrite']],
      [['diff', 'aws-sm', 'local']],
      [['doctor', '--check-writes']],
      [['delete', 'NEW_TOKEN', '--now']],
    ]
    for (const [args, input] of writes) await cli(args, input)
    p.sm.faults.errorRate(1, { status: 400, type: 'AccessDeniedException', message: `denied for ${CANARY}` })
    await cli(['get', 'DB_PASSWORD', '--debug'])
    await cli(['doctor', '--debug'])
    await p.ssm.faults.down()
    await cli(['get', 'DATABASE_URL', '--debug'])

    const seen = transcript.slice(from)
    expect(seen.length).toBe(1 + reads.length + writes.length + 3)
    // The shared canary also searches every output in base64, hex, URL and JSON forms, and counts it.
    for (const run of seen) {
      canary.see(`cli ${run.args[0]} stdout`, run.stdout)
      canary.see(`cli ${run.args[0]} stderr`, run.stderr)
    }
    canary.expectNoLeak([CANARY, ROTATED])
    for (const run of seen) {
      for (const [stream, text] of [
        ['stdout', run.stdout],
        ['stderr', run.stderr],
      ] as const) {
        if (text.includes(CANARY) || text.includes(ROTATED))
          throw new Error(`${stream} of "polysecret ${run.args.join(' ')}" holds the canary`)
      }
    }
  })

  it('the canary is really there to leak: --reveal and --include-secrets print it on purpose', async () => {
    p.sm.faults.clear()
    await p.ssm.faults.up()
    expect((await cli(['get', 'DB_PASSWORD', '--reveal'])).stdout).toBe(`${ROTATED}\n`)
    const exported = (await cli(['export', '--include-secrets'])).stdout
    expect(exported).toContain(`LOCAL_API_KEY='${CANARY}'`)
    expect(exported).toContain(`IMPORTED_SECRET_TOKEN='${CANARY}'`)
  })
})
