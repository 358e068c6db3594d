import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigManager, memory } from '@polysecret/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RotationAction } from '../src/index.js'
import { startServer } from './support/server.js'

// Each action runs for real: a child process counting SIGHUPs, a local HTTP receiver, a command that
// writes a file. The watcher polls every 20 ms; tests wait for the effect, never for a time.
const cleanup: (() => Promise<unknown> | unknown)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function withRotation(action: RotationAction) {
  const p = memory({ DB_PASSWORD: 'v1', OTHER_TOKEN: 'o1' })
  const manager = new ConfigManager({ secrets: [p], parameters: [p], allowWrites: true })
  cleanup.push(() => manager.close())
  const s = await startServer(manager, { rotation: [{ keys: ['DB_PASSWORD'], action, interval: 20 }] })
  cleanup.push(() => s.server.close())
  return { manager, s }
}

describe('server: rotation signal', () => {
  it('sends SIGHUP to a process when a watched key changes (and not for other keys)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polysecret-rot-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const counter = join(dir, 'count')
    const child = spawn(
      process.execPath,
      [
        '-e',
        `let n=0;process.on('SIGHUP',()=>{require('fs').writeFileSync(${JSON.stringify(counter)},String(++n))});setInterval(()=>{},1e6);console.log('ready')`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    cleanup.push(() => child.kill('SIGKILL'))
    await once(child.stdout!, 'data')
    const { manager, s } = await withRotation({ pid: child.pid!, signal: 'SIGHUP' })
    await manager.set('OTHER_TOKEN', 'o2')
    await manager.set('DB_PASSWORD', 'v2')
    await vi.waitFor(async () => expect(await readFile(counter, 'utf8')).toBe('1'), {
      timeout: 5000,
      interval: 20,
    })
    await manager.set('DB_PASSWORD', 'v3')
    await vi.waitFor(async () => expect(await readFile(counter, 'utf8')).toBe('2'), {
      timeout: 5000,
      interval: 20,
    })
    const lines = s.audit.lines.filter((l) => l.operation === 'rotation.signal')
    expect(lines.map((l) => [l.key, l.outcome])).toEqual([
      ['DB_PASSWORD', 'ok'],
      ['DB_PASSWORD', 'ok'],
    ])
  })

  it('POSTs the key and versions (no value) to a webhook', async () => {
    const received: unknown[] = []
    const receiver = createHttpServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        received.push({ auth: req.headers.authorization, body: JSON.parse(body) })
        res.end('ok')
      })
    })
    receiver.listen(0, '127.0.0.1')
    await once(receiver, 'listening')
    cleanup.push(() => new Promise((r) => receiver.close(r)))
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`
    const { manager } = await withRotation({ webhook: url, headers: { authorization: 'Bearer hook' } })
    await manager.set('DB_PASSWORD', 'new-value-xyz')
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 5000, interval: 20 })
    expect(received[0]).toMatchObject({
      auth: 'Bearer hook',
      body: { key: 'DB_PASSWORD', changedAt: expect.any(String) },
    })
    expect(JSON.stringify(received)).not.toContain('new-value-xyz')
  })

  it('runs a command with the key and versions in its environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polysecret-rot-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const out = join(dir, 'changed')
    const { manager } = await withRotation({
      command: [
        process.execPath,
        '-e',
        `require('fs').writeFileSync(${JSON.stringify(out)}, process.env.POLYSECRET_KEY + ' ' + (process.env.POLYSECRET_VERSION !== ''))`,
      ],
    })
    await manager.set('DB_PASSWORD', 'v2')
    await vi.waitFor(async () => expect(await readFile(out, 'utf8')).toBe('DB_PASSWORD true'), {
      timeout: 5000,
      interval: 20,
    })
  })

  it('audits a failing action (a webhook that answers 500)', async () => {
    const receiver = createHttpServer((_req, res) => {
      res.statusCode = 500
      res.end()
    })
    receiver.listen(0, '127.0.0.1')
    await once(receiver, 'listening')
    cleanup.push(() => new Promise((r) => receiver.close(r)))
    const { manager, s } = await withRotation({
      webhook: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
    })
    await manager.set('DB_PASSWORD', 'v2')
    await vi.waitFor(
      () =>
        expect(s.audit.lines.find((l) => l.operation === 'rotation.webhook')).toMatchObject({
          outcome: 'error',
          errorCode: 'webhook answered 500',
        }),
      { timeout: 5000, interval: 20 },
    )
  })
})
