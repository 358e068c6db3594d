/**
 * The leak canary over generation: every surface `manager.generate` adds — reports, their printed text,
 * dry-run output, per-destination errors, thrown errors, access events, stdout/stderr — is captured
 * while values that hold a canary (and the random values actually written) pass through. None of them
 * may appear anywhere.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { secretsManager } from '@polysecret/aws'
import {
  type AccessEvent,
  ConfigManager,
  encryptedFile,
  formatGenerateReport,
  type GenerationSpec,
  memory,
  runGenerate,
  Secret,
} from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FAKE_AWS } from './support/aws.js'
import { stopAfterEach } from './support/cleanup.js'

const CANARY = 'canary-5e1d7b3a-GEN-LEAK'
const defer = stopAfterEach()

describe('leak canary: generation', () => {
  const seen: string[] = []
  const events: AccessEvent[] = []
  const writes = { out: process.stdout.write, err: process.stderr.write }
  const see = (value: unknown) => {
    seen.push(inspect(value, { depth: 20, showHidden: true, getters: true }))
    try {
      seen.push(JSON.stringify(value) ?? '')
    } catch {
      // inspect covers it
    }
    seen.push(String(value))
    for (let e: unknown = value, d = 0; e instanceof Error && d < 10; e = e.cause, d++)
      seen.push(e.message, e.stack ?? '', inspect(e, { showHidden: true, depth: 20 }))
  }
  const attempt = async (fn: () => Promise<unknown>) => {
    try {
      const result = await fn()
      see(result)
      if (result && typeof result === 'object' && 'results' in result) {
        const text = formatGenerateReport(result as never)
        seen.push(text)
        console.log(text)
      }
      for (const r of (result as { results?: { error?: unknown; metadataError?: unknown }[] })?.results ??
        []) {
        if (r.error) see(r.error)
        if (r.metadataError) see(r.metadataError)
      }
    } catch (error) {
      see(error)
      console.error(error)
    }
  }

  beforeEach(() => {
    seen.length = 0
    events.length = 0
    const capture =
      (stream: 'out' | 'err') =>
      (chunk: unknown, ...rest: unknown[]) => {
        seen.push(String(chunk))
        return (writes[stream] as (...a: unknown[]) => boolean).call(process[`std${stream}`], chunk, ...rest)
      }
    process.stdout.write = capture('out') as typeof process.stdout.write
    process.stderr.write = capture('err') as typeof process.stderr.write
  })
  afterEach(() => {
    process.stdout.write = writes.out
    process.stderr.write = writes.err
  })

  it('never shows a generated or copied value in reports, dry runs, errors, events or output', async () => {
    const fake = await startFake('aws-secrets-manager')
    defer(() => fake.stop())
    const aws = secretsManager({ ...FAKE_AWS, endpoint: fake.endpoint, name: 'aws', maxAttempts: 1 })
    const path = join(mkdtempSync(join(tmpdir(), 'polysecret-gen-canary-')), 's.enc')
    const file = encryptedFile({ path, key: Buffer.alloc(32, 9).toString('hex'), name: 'file' })
    const mem = memory({ CA_CERT: CANARY, CA_KEY: CANARY, OLD_TOKEN: CANARY }, { name: 'mem' })
    const manager = new ConfigManager({
      secrets: [mem, file, aws],
      allowWrites: true,
      retry: 0,
      onAccess: (e) => events.push(e),
    })
    const spec: GenerationSpec = {
      name: 'canary',
      generators: {
        pw: { type: 'password', length: 40 },
        key: { type: 'aes-key' },
        tls: { type: 'certificate', subject: { commonName: 'c' } },
      },
      keys: {
        WITH_LITERAL: `{{ "${CANARY}" }}:{{ .gen.pw }}`,
        LITERAL_B64: `{{ "${CANARY}" | base64 }}`,
        PW_HASH: '{{ .gen.pw | bcrypt 4 }}',
        AES: '{{ .gen.key }}',
        TLS_KEY: '{{ .gen.tls.key }}',
      },
      to: ['mem', 'file', 'aws'],
    }
    await attempt(() => manager.generate(spec, { dryRun: true }))
    await attempt(() => manager.generate(spec))
    await attempt(() => manager.generate(spec)) // all exist: skipped
    await attempt(() => manager.generate({ ...spec, to: ['mem', 'file'] }, { overwrite: true }))
    // copy: OLD_TOKEN exists at mem only, file gets a copy
    await attempt(() =>
      manager.generate(
        { generators: { t: { type: 'uuid' } }, keys: { OLD_TOKEN: '{{ .gen.t }}' }, to: ['mem', 'file'] },
        { dryRun: true },
      ),
    )
    await attempt(() =>
      manager.generate({
        generators: { t: { type: 'uuid' } },
        keys: { OLD_TOKEN: '{{ .gen.t }}' },
        to: ['mem', 'file'],
      }),
    )
    // a CA whose "certificate" and "key" are the canary: refused without quoting them
    const caSpec: GenerationSpec = {
      generators: {
        leaf: { type: 'certificate', subject: { commonName: 'x' }, ca: { cert: 'CA_CERT', key: 'CA_KEY' } },
      },
      keys: { LEAF: '{{ .gen.leaf.cert }}' },
      to: 'mem',
    }
    await attempt(() => manager.generate(caSpec))
    // bcrypt over 72 bytes, with the canary in the value
    await attempt(() =>
      manager.generate({ generators: {}, keys: { H: `{{ "${CANARY.repeat(4)}" | bcrypt 4 }}` }, to: 'mem' }),
    )
    // the store fails writes with a message quoting the value
    fake.faults.errorRate(1, { status: 400, type: 'InvalidRequestException', message: `bad ${CANARY}` })
    await attempt(() => manager.generate({ ...spec, to: ['aws'] }, { overwrite: true }))
    fake.faults.clear()
    const printed = await runGenerate(manager, spec, { dryRun: true })
    seen.push(printed.text)
    see(printed)
    see(events)
    see(manager)

    // Everything actually written is radioactive too.
    const leaks = [CANARY, Buffer.from(CANARY).toString('base64')]
    for (const key of Object.keys(spec.keys)) {
      for (const p of ['mem', 'file', 'aws']) {
        const v = await manager.get(`${p}://${key}`, { optional: true, fresh: true })
        if (v !== undefined) leaks.push(v instanceof Secret ? v.reveal() : v)
      }
    }
    const password = leaks.find((v) => v.startsWith(`${CANARY}:`))!.slice(CANARY.length + 1)
    leaks.push(password, encodeURIComponent(password))
    expect(leaks.length).toBeGreaterThan(10)
    const everything = seen.join('\n')
    expect(everything).toContain('[REDACTED, ') // the dry runs did print their masked values
    expect(everything).toContain('WITH_LITERAL') // and keys are shown
    for (const leak of leaks) expect(everything).not.toContain(leak)
  })
})
