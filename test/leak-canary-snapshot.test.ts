/**
 * The leak canary over the offline snapshot: the snapshot file's bytes (in any common encoding), the
 * values it serves and their metadata, access events, and every error and warning the snapshot
 * produces (tampered, foreign, expired, refused writes) must never show a value it holds.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { secretsManager } from '@polysecret/aws'
import { type AccessEvent, ConfigManager, type PolysecretError, type Secret } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { FAKE_AWS } from './support/aws.js'
import { useLeakCanary } from './support/canary.js'

const CANARY = 'canary-5e1b7d20-SNAPSHOT-LEAK'

describe('leak canary: the offline snapshot', () => {
  const canary = useLeakCanary()
  const attempt = (fn: () => Promise<unknown>) => canary.attempt(fn)

  it('never shows a snapshot value: file bytes, served values, events, errors, warnings', async () => {
    const sm = await startFake('aws-secrets-manager', { secrets: { DB_PASSWORD: CANARY } })
    const dir = mkdtempSync(join(tmpdir(), 'canary-snapshot-'))
    const path = join(dir, 'app.snapshot')
    const key = randomBytes(32).toString('hex')
    const events: AccessEvent[] = []
    const problems: PolysecretError[] = []
    const warnings: Error[] = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    let clock = Date.now()
    const make = (snapshot: object, name?: string) =>
      new ConfigManager({
        secrets: [
          secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1, ...(name && { name }) }),
        ],
        retry: 0,
        onAccess: (e) => events.push(e),
        snapshot: { path, key, now: () => clock, ...snapshot },
      })
    const schema = z.object({ DB_PASSWORD: z.string() })
    try {
      const writer = make({})
      await attempt(() => writer.load(schema))
      await writer.close()
      // The file, as bytes and in the encodings a value could hide in.
      const bytes = readFileSync(path)
      for (const encoding of ['latin1', 'utf8', 'base64', 'hex', 'base64url'] as const)
        canary.see(`snapshot file (${encoding})`, bytes.toString(encoding))
      expect(bytes.includes(Buffer.from(CANARY))).toBe(false)

      await sm.faults.down()
      const offline = make({})
      await attempt(() => offline.get('DB_PASSWORD'))
      await attempt(() => offline.getWithMetadata('DB_PASSWORD'))
      await attempt(() => offline.getMany(['DB_PASSWORD', 'MISSING_TOKEN']))
      await attempt(() => offline.load(schema))
      await attempt(() => offline.load(z.object({ DB_PASSWORD: z.string().max(3) })))
      // the value really was there to be leaked
      expect(((await offline.get('DB_PASSWORD')) as Secret).reveal()).toBe(CANARY)
      await offline.close()
      clock += 2 * 86_400_000 // past the default maxAge
      const expired = make({})
      await attempt(() => expired.get('DB_PASSWORD'))
      await expired.close()
      clock -= 2 * 86_400_000
      await attempt(() => make({}, 'another-name').get('DB_PASSWORD'))
      await attempt(() => make({ key: randomBytes(32) }).get('DB_PASSWORD'))
      const tampered = readFileSync(path)
      tampered[60]! ^= 0x01
      writeFileSync(path, tampered)
      await attempt(() => make({}).get('DB_PASSWORD'))
      // the store is back, the file cannot be overwritten: reported to onError and as a warning
      await sm.faults.up()
      const refused = make({ onError: (e: PolysecretError) => problems.push(e) })
      await attempt(() => refused.get('DB_PASSWORD'))
      await refused.close()
      const warned = make({})
      await attempt(() => warned.get('DB_PASSWORD'))
      await warned.close()
      await new Promise((resolve) => setImmediate(resolve)) // process warnings are emitted on the next tick
      for (const e of events) canary.see('onAccess', e)
      for (const e of problems) canary.see('snapshot onError', e)
      for (const e of warnings) canary.see('process warning', e)

      const everything = canary.text()
      expect(everything).toContain('SNAPSHOT_EXPIRED')
      expect(everything).toContain('INTEGRITY')
      expect(everything).toContain("staleReason: 'snapshot'")
      expect(problems.length).toBeGreaterThan(0)
      expect(warnings.some((w) => /snapshot was not written/.test(w.message))).toBe(true)
      // raw, base64 (any offset), hex, URL-encoded and more: test/support/canary.ts
      canary.expectNoLeak([CANARY])
    } finally {
      process.off('warning', onWarning)
      await sm.stop()
    }
  })
})
