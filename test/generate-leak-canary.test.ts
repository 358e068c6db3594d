/**
 * The leak canary over generation: every surface `manager.generate` adds — reports, their printed text,
 * dry-run output, per-destination errors, thrown errors, access events, stdout/stderr — is captured
 * while values that hold a canary (and the random values actually written) pass through. None of them
 * may appear anywhere.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
import { beforeEach, describe, expect, it } from 'vitest'
import { FAKE_AWS } from './support/aws.js'
import { useLeakCanary } from './support/canary.js'
import { stopAfterEach } from './support/cleanup.js'

const CANARY = 'canary-5e1d7b3a-GEN-LEAK'
const defer = stopAfterEach()

describe('leak canary: generation', () => {
  const canary = useLeakCanary()
  const events: AccessEvent[] = []
  const attempt = async (fn: () => Promise<unknown>) => {
    const { result } = await canary.attempt(fn)
    if (result && typeof result === 'object' && 'results' in result) {
      const text = formatGenerateReport(result as never)
      canary.see('report text', text)
      console.log(text)
    }
    for (const r of (result as { results?: { error?: unknown; metadataError?: unknown }[] })?.results ?? []) {
      if (r.error) canary.see('destination error', r.error)
      if (r.metadataError) canary.see('destination error', r.metadataError)
    }
  }
  beforeEach(() => {
    events.length = 0
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
    canary.see('report text', printed.text)
    canary.see('result', printed)
    canary.see('onAccess', events)
    canary.see('manager', manager)

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
    const everything = canary.text()
    expect(everything).toContain('[REDACTED, ') // the dry runs did print their masked values
    expect(everything).toContain('WITH_LITERAL') // and keys are shown
    canary.expectNoLeak(leaks)
  })
})
