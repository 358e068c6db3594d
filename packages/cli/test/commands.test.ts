/**
 * Every command against the wire-level AWS fakes, through the real binary: what it prints, what it
 * writes to the stores, and its exit code.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type AwsProject, awsProject } from './support/aws-project.js'
import { runCli, SUBPROCESS_TIMEOUT } from './support/run-cli.js'

// Each test starts the CLI as a process (node + tsx); on a loaded machine that takes seconds.
vi.setConfig({ testTimeout: SUBPROCESS_TIMEOUT, hookTimeout: SUBPROCESS_TIMEOUT })

let p: AwsProject
const cli = (args: string[], input?: string) =>
  runCli(args, { cwd: p.dir, ...(input !== undefined && { input }) })

beforeEach(async () => {
  p = await awsProject(
    { DB_PASSWORD: { versions: ['old-pw-1', 'current-pw-2'] } },
    { DB_HOST: 'db.internal', LOG_LEVEL: 'info' },
    'FEATURE_FLAG: "on"\n',
  )
})
afterEach(() => p.stop())

describe('get', () => {
  it('prints a parameter, masks a secret, reveals it with --reveal; a missing key is exit 3', async () => {
    expect(await cli(['get', 'DB_HOST'])).toMatchObject({ code: 0, stdout: 'db.internal\n' })
    expect(await cli(['get', 'DB_PASSWORD'])).toMatchObject({ code: 0, stdout: '********\n' })
    expect(await cli(['get', 'DB_PASSWORD', '--reveal'])).toMatchObject({ code: 0, stdout: 'current-pw-2\n' })
    const json = JSON.parse((await cli(['get', 'DB_PASSWORD', '--json'])).stdout)
    expect(json).toMatchObject({
      key: 'DB_PASSWORD',
      kind: 'secret',
      provider: 'aws-sm',
      value: '********',
      masked: true,
    })
    const missing = await cli(['get', 'NO_SUCH_KEY'])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/^polysecret: Key "NO_SUCH_KEY" was not found[^\n]*\n$/)
  })

  it('reads an old version by --label', async () => {
    expect((await cli(['get', 'DB_PASSWORD', '--label', 'AWSPREVIOUS', '--reveal'])).stdout).toBe(
      'old-pw-1\n',
    )
  })
})

describe('set and delete', () => {
  it('takes a secret from stdin and refuses it as an argument without --force', async () => {
    const refused = await cli(['set', 'API_TOKEN', 'tok-from-argv'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('--force')
    expect(p.sm.state.find('API_TOKEN')).toBeUndefined()

    expect((await cli(['set', 'API_TOKEN'], 'tok-from-stdin\n')).code).toBe(0)
    expect(p.sm.state.value('API_TOKEN')).toBe('tok-from-stdin')
    expect((await cli(['set', 'API_TOKEN', 'tok-forced', '--force'])).code).toBe(0)
    expect(p.sm.state.value('API_TOKEN')).toBe('tok-forced')
  })

  it('takes a parameter as an argument, and reads --from-file byte for byte', async () => {
    expect((await cli(['set', 'LOG_LEVEL', 'debug'])).code).toBe(0)
    expect(p.ssm.state.value('/app/LOG_LEVEL')).toBe('debug')
    const file = join(p.dir, 'key.pem')
    await import('node:fs').then((fs) =>
      fs.writeFileSync(file, '-----BEGIN KEY-----\nabc\n-----END KEY-----\n'),
    )
    expect((await cli(['set', 'TLS_PRIVATE_KEY', '--from-file', file])).code).toBe(0)
    expect(p.sm.state.value('TLS_PRIVATE_KEY')).toBe('-----BEGIN KEY-----\nabc\n-----END KEY-----\n')
  })

  it('--create-only on an existing key is a conflict (exit 5); delete removes a key', async () => {
    const conflict = await cli(['set', 'DB_PASSWORD', '--create-only'], 'x')
    expect(conflict.code).toBe(5)
    expect((await cli(['delete', 'LOG_LEVEL'])).code).toBe(0)
    expect(p.ssm.state.value('/app/LOG_LEVEL')).toBeUndefined()
  })
})

describe('list, classify, versions, rollback, rotate', () => {
  it('lists keys of every store with kind and store', async () => {
    const rows = JSON.parse((await cli(['list', '--json'])).stdout) as {
      key: string
      kind: string
      provider: string
    }[]
    expect(rows.map((r) => [r.key, r.kind, r.provider])).toEqual([
      ['DB_HOST', 'parameter', 'ssm'],
      ['DB_PASSWORD', 'secret', 'aws-sm'],
      ['FEATURE_FLAG', 'parameter', 'local'],
      ['LOG_LEVEL', 'parameter', 'ssm'],
    ])
    const table = (await cli(['list'])).stdout
    expect(table.split('\n')[0]).toMatch(/^KEY\s+KIND\s+STORE\s+VERSION\s+UPDATED$/)
  })

  it('classify gives the kind and the rule', async () => {
    const out = JSON.parse((await cli(['classify', 'DB_PASSWORD', 'KEYCLOAK_URL', '--json'])).stdout)
    expect(out).toEqual([
      { key: 'DB_PASSWORD', kind: 'secret', reason: expect.stringContaining('password') },
      { key: 'KEYCLOAK_URL', kind: 'parameter', reason: expect.any(String) },
    ])
  })

  it('versions lists both versions; rollback makes the old one current', async () => {
    const versions = JSON.parse((await cli(['versions', 'DB_PASSWORD', '--json'])).stdout) as {
      version: string
      current: boolean
    }[]
    expect(versions).toHaveLength(2)
    const old = versions.find((v) => !v.current)!
    expect((await cli(['rollback', 'DB_PASSWORD', old.version])).code).toBe(0)
    expect(p.sm.state.value('DB_PASSWORD')).toBe('old-pw-1')
  })

  it('rotate writes a generated password of the asked length and prints no value', async () => {
    const result = await cli(['rotate', 'DB_PASSWORD', '--length', '40', '--no-symbols'])
    expect(result.code).toBe(0)
    const value = p.sm.state.value('DB_PASSWORD') as string
    expect(value).toMatch(/^[A-Za-z0-9]{40}$/)
    expect(result.stdout + result.stderr).not.toContain(value)
  })
})

describe('export and import', () => {
  it('exports parameters only unless --include-secrets, in each format', async () => {
    const dotenv = await cli(['export'])
    expect(dotenv.stdout).toBe("DB_HOST='db.internal'\nFEATURE_FLAG='on'\nLOG_LEVEL='info'\n")
    expect(dotenv.stderr).toContain('left out 1 secret')
    const json = JSON.parse((await cli(['export', '--format', 'json', '--include-secrets'])).stdout)
    expect(json).toEqual({
      DB_HOST: 'db.internal',
      DB_PASSWORD: 'current-pw-2',
      FEATURE_FLAG: 'on',
      LOG_LEVEL: 'info',
    })
    expect((await cli(['export', '--format', 'yaml'])).stdout).toBe(
      'DB_HOST: db.internal\nFEATURE_FLAG: on\nLOG_LEVEL: info\n',
    )
  })

  it('imports a dotenv file: parameters, then secrets with --include-secrets; --dry-run writes nothing', async () => {
    const file = join(p.dir, 'in.env')
    await import('node:fs').then((fs) =>
      fs.writeFileSync(file, "QUEUE_URL=https://q.local\nSTRIPE_SECRET_KEY='sk-imported'\n"),
    )
    expect((await cli(['import', file, '--dry-run'])).code).toBe(0)
    expect(p.ssm.state.value('/app/QUEUE_URL')).toBeUndefined()
    const parametersOnly = await cli(['import', file])
    expect(parametersOnly.stdout).toContain('imported 1 key, 1 secret left out')
    expect(p.ssm.state.value('/app/QUEUE_URL')).toBe('https://q.local')
    expect(p.sm.state.find('STRIPE_SECRET_KEY')).toBeUndefined()
    expect((await cli(['import', file, '--include-secrets'])).code).toBe(0)
    expect(p.sm.state.value('STRIPE_SECRET_KEY')).toBe('sk-imported')
  })

  it('export then import round-trips values with quotes and newlines', async () => {
    const file = join(p.dir, 'tricky.json')
    const tricky = { MOTD: 'it\'s "quoted"\nand two lines', GREETING: 'plain' }
    await import('node:fs').then((fs) => fs.writeFileSync(file, JSON.stringify(tricky)))
    expect((await cli(['import', file, '--to', 'local'])).code).toBe(0)
    const exported = (await cli(['export', '--format', 'dotenv'])).stdout
    const { parse } = await import('dotenv')
    expect(parse(exported)).toMatchObject(tricky)
    expect(readFileSync(join(p.dir, 'local.yaml'), 'utf8')).toContain('GREETING')
  })
})

describe('migrate and diff', () => {
  it('plans first, copies with --apply, then the stores agree', async () => {
    const plan = await cli(['migrate', '--from', 'ssm', '--to', 'local'])
    expect(plan.stdout).toMatch(/DB_HOST\s+parameter\s+create/)
    expect(plan.stdout).toContain('Nothing written')
    expect(readFileSync(join(p.dir, 'local.yaml'), 'utf8')).not.toContain('DB_HOST')

    const apply = await cli(['migrate', '--from', 'ssm', '--to', 'local', '--apply'])
    expect(apply.code).toBe(0)
    expect(apply.stdout).toContain('copied 2 of 2')
    expect(readFileSync(join(p.dir, 'local.yaml'), 'utf8')).toContain('DB_HOST: db.internal')

    const diff = JSON.parse((await cli(['diff', 'ssm', 'local', '--json'])).stdout) as {
      key: string
      status: string
    }[]
    expect(diff).toEqual([
      { key: 'DB_HOST', status: 'same', left: 'db.internal', right: 'db.internal' },
      { key: 'FEATURE_FLAG', status: 'only right', left: null, right: 'on' },
      { key: 'LOG_LEVEL', status: 'same', left: 'info', right: 'info' },
    ])
  })

  it('an existing different value is left alone unless --overwrite', async () => {
    await import('node:fs').then((fs) => fs.writeFileSync(join(p.dir, 'local.yaml'), 'LOG_LEVEL: warn\n'))
    const plan = await cli(['migrate', '--from', 'ssm', '--to', 'local', '--json'])
    expect(JSON.parse(plan.stdout).counts).toEqual({ create: 1, update: 0, same: 0, 'skip (exists)': 1 })
    await cli(['migrate', '--from', 'ssm', '--to', 'local', '--apply', '--overwrite'])
    expect(readFileSync(join(p.dir, 'local.yaml'), 'utf8')).toContain('LOG_LEVEL: info')
  })

  it('diffs two versions of a key with the values masked', async () => {
    const versions = JSON.parse((await cli(['versions', 'DB_PASSWORD', '--json'])).stdout) as {
      version: string
    }[]
    const out = JSON.parse(
      (await cli(['diff', '--key', 'DB_PASSWORD', versions[1]!.version, versions[0]!.version, '--json']))
        .stdout,
    )
    expect(out).toEqual([{ key: 'DB_PASSWORD', status: 'differs', left: '********', right: '********' }])
  })
})

describe('doctor', () => {
  it('reports every store ok, then names the permission a denied store lacks (exit 1)', async () => {
    const ok = await cli(['doctor', '--json'])
    expect(ok.code).toBe(0)
    expect(
      JSON.parse(ok.stdout).stores.map((s: { store: string; read: string }) => [s.store, s.read]),
    ).toEqual([
      ['aws-sm', 'ok'],
      ['ssm', 'ok'],
      ['local', 'ok'],
    ])
    p.sm.faults.errorRate(1, { status: 400, type: 'AccessDeniedException', operations: ['GetSecretValue'] })
    const denied = await cli(['doctor'])
    expect(denied.code).toBe(1)
    expect(denied.stdout).toContain('aws-sm lacks read: secretsmanager:GetSecretValue')
  })

  it('a store that is down is reported, not thrown', async () => {
    await p.ssm.faults.down()
    const out = await cli(['doctor', '--json'])
    expect(out.code).toBe(1)
    const ssm = JSON.parse(out.stdout).stores.find((s: { store: string }) => s.store === 'ssm')
    expect(ssm).toMatchObject({ healthy: false, read: 'error' })
  })
})
