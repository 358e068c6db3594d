import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigManager, memory } from '@polysecret/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createServer, kubernetesContext } from '../src/index.js'
import { key, startServer } from './support/server.js'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  vi.unstubAllEnvs()
  for (const c of cleanup.splice(0)) await c()
})

function manager() {
  const p = memory({ DB_PASSWORD: 'audit-canary-value' }, { name: 'mem' })
  const m = new ConfigManager({ secrets: [p], parameters: [p] })
  cleanup.push(() => m.close())
  return m
}

describe('server: audit log', () => {
  it('one JSON line per access: who, key, provider, outcome, latency, request id, pod context — never the value', async () => {
    vi.stubEnv('POD_NAMESPACE', 'apps')
    vi.stubEnv('POD_NAME', 'billing-7d9')
    vi.stubEnv('POD_SERVICE_ACCOUNT', 'billing')
    await using s = await startServer(manager())
    await s.call(key('DB_PASSWORD'), { headers: { 'x-request-id': 'abc-1' } })
    const line = s.audit.lines.find((l) => l.requestId === 'abc-1')
    expect(line).toMatchObject({
      level: 'info',
      msg: 'access',
      service: 'polysecret-server',
      kubernetes: { namespace: 'apps', pod: 'billing-7d9', serviceAccount: 'billing' },
      who: { kind: 'anonymous', name: 'anonymous' },
      operation: 'get',
      key: 'DB_PASSWORD',
      provider: 'mem',
      outcome: 'miss',
      status: 200,
      latencyMs: expect.any(Number),
    })
    expect(line?.time).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(s.audit.text.join('\n')).not.toContain('audit-canary-value')
  })

  it('has no pod context outside Kubernetes', () => {
    expect(kubernetesContext({})).toBeUndefined()
    expect(kubernetesContext({ POD_NAMESPACE: 'x' })).toEqual({ namespace: 'x' })
  })

  it('writes to a file rotated by size (pino-roll), keeping the configured number of old files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polysecret-audit-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const file = join(dir, 'audit.log')
    const server = await createServer(manager(), {
      port: 0,
      audit: { destination: { file, size: '1k', keep: 2 } },
    })
    await server.listen()
    // Each line is ~400 bytes: 40 requests make several 1 KiB files; rotation happens as lines are written.
    for (let i = 0; i < 40; i++) await fetch(`${server.url}${key('DB_PASSWORD')}`).then((r) => r.text())
    await server.close()
    const files = (await readdir(dir)).sort()
    // The current file plus at most `keep` old ones.
    expect(files.length).toBeGreaterThan(1)
    expect(files.length).toBeLessThanOrEqual(3)
    expect(files.every((f) => /^audit\.\d+\.log$/.test(f))).toBe(true)
    const lines = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8'))))
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.every((l) => l.key === 'DB_PASSWORD')).toBe(true)
    expect(JSON.stringify(lines)).not.toContain('audit-canary-value')
  })
})
