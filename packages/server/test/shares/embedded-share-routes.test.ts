/**
 * The share API over real HTTP with the embedded store (core's encrypted file): open once then gone,
 * read counts, expiry on read and by the sweep, limits, headers, and races — in one process and across
 * two servers on one file — where exactly one reader wins.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { embeddedShareStore } from '../../src/shares/embedded-store.js'
import { sealShare } from '../../src/shares/share-codec.js'
import type { ShareStore } from '../../src/shares/share-store.js'
import { type RunningShareServer, startShareServer } from '../support/share-server.js'

const KEY = 'a'.repeat(64) // the store's own key (hex), not a share key

describe('share API on the embedded store', () => {
  let dir: string
  let clock: number
  const now = () => clock
  const stores: ShareStore[] = []
  const servers: RunningShareServer[] = []

  const newStore = () => {
    const store = embeddedShareStore({ path: join(dir, 'shares.enc'), key: KEY, sweepIntervalMs: 0 })
    stores.push(store)
    return store
  }
  const newServer = async (store: ShareStore, extra = {}) => {
    const server = await startShareServer({ store, now, ...extra })
    servers.push(server)
    return server
  }
  const create = async (url: string, body: Record<string, unknown> = {}) => {
    const { ciphertext } = await sealShare('hello')
    return fetch(`${url}/v1/shares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ciphertext, ...body }),
    })
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'polysecret-shares-'))
    clock = Date.parse('2030-01-01T00:00:00Z')
  })
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close()
    for (const s of stores.splice(0)) await s.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('returns a share once, then 404 — and the stored ciphertext is the one sent', async () => {
    const { url } = await newServer(newStore())
    const { ciphertext } = await sealShare('hello')
    const created = await fetch(`${url}/v1/shares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ciphertext, ttl: 60 }),
    })
    expect(created.status).toBe(201)
    const { id, expiresAt, reads } = (await created.json()) as {
      id: string
      expiresAt: string
      reads: number
    }
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(Buffer.from(id, 'base64url')).toHaveLength(16)
    expect(expiresAt).toBe(new Date(clock + 60_000).toISOString())
    expect(reads).toBe(1)
    expect(created.headers.get('location')).toBe(`/v1/shares/${id}`)

    const first = await fetch(`${url}/v1/shares/${id}`)
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ ciphertext, expiresAt, readsLeft: 0 })
    const second = await fetch(`${url}/v1/shares/${id}`)
    expect(second.status).toBe(404)
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND')
  })

  it('allows exactly `reads` opens', async () => {
    const store = newStore()
    const { url } = await newServer(store)
    const { id } = (await (await create(url, { reads: 3 })).json()) as { id: string }
    const left = []
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${url}/v1/shares/${id}`)
      left.push(response.status === 200 ? ((await response.json()) as { readsLeft: number }).readsLeft : 404)
    }
    expect(left).toEqual([2, 1, 0, 404])
    expect(await store.count()).toBe(0)
  })

  it('refuses an expired share on read and deletes it; the sweep purges expired shares it was not asked for', async () => {
    const store = newStore()
    const { url } = await newServer(store)
    const short = (await (await create(url, { ttl: 10 })).json()) as { id: string }
    await create(url, { ttl: 10 })
    const long = (await (await create(url, { ttl: 3600 })).json()) as { id: string }
    expect(await store.count()).toBe(3)

    clock += 10_000 // exactly at expiry: gone
    expect((await fetch(`${url}/v1/shares/${short.id}`)).status).toBe(404)
    expect(await store.count()).toBe(2)
    expect(await store.sweep(clock)).toBe(1)
    expect(await store.count()).toBe(1)
    expect((await fetch(`${url}/v1/shares/${long.id}`)).status).toBe(200)
  })

  it('sweeps on its own timer', async () => {
    const store = embeddedShareStore({ path: join(dir, 'timer.enc'), key: KEY, sweepIntervalMs: 20, now })
    stores.push(store)
    await store.create('A'.repeat(22), { ciphertext: 'AQ', expiresAt: clock + 5, reads: 1 })
    clock += 5
    // Wait for the timer by polling the store (no wall-clock assertion: the loop ends when it swept).
    while ((await store.count()) > 0) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(await store.count()).toBe(0)
  })

  it('exactly one of many concurrent readers gets a burn-after-reading share', async () => {
    const { url } = await newServer(newStore())
    const { id } = (await (await create(url)).json()) as { id: string }
    const statuses = await Promise.all(
      Array.from({ length: 25 }, () => fetch(`${url}/v1/shares/${id}`).then((r) => r.status)),
    )
    expect(statuses.filter((s) => s === 200)).toHaveLength(1)
    expect(statuses.filter((s) => s === 404)).toHaveLength(24)
  })

  it('two servers on one file (two store instances) serve the same shares, and a race between them has one winner', async () => {
    const a = await newServer(newStore())
    const b = await newServer(newStore())
    for (let round = 0; round < 5; round++) {
      const { id } = (await (await create(a.url, { reads: 2 })).json()) as { id: string }
      const statuses = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          fetch(`${(i % 2 ? a : b).url}/v1/shares/${id}`).then((r) => r.status),
        ),
      )
      expect(statuses.filter((s) => s === 200)).toHaveLength(2)
    }
  })

  it('a race between two processes on one file has one winner (the file lock, not an in-process queue)', async () => {
    // A reader that could not take the file lock in time answers 503 and consumed nothing (the
    // share stays); like a client, it asks again. Every reader ends with 200 (exactly one) or 404.
    const decidedStatus = async (url: string): Promise<number> => {
      const until = Date.now() + 15_000
      for (;;) {
        const { status } = await fetch(url)
        if (status !== 503 || Date.now() > until) return status
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100))
      }
    }
    const script = fileURLToPath(new URL('../support/share-server-process.ts', import.meta.url))
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', script, join(dir, 'shares.enc'), KEY],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    try {
      const [line] = (await once(child.stdout!, 'data')) as [Buffer]
      const other = line.toString().trim()
      expect(other).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      // Both servers on the real clock: the child has no other, and a share one server made must not
      // look expired (or not yet made) to the other.
      const here = await newServer(newStore(), { now: Date.now })
      for (let round = 0; round < 5; round++) {
        const { id } = (await (await create(round % 2 ? here.url : other)).json()) as { id: string }
        const statuses = await Promise.all(
          Array.from({ length: 10 }, (_, i) => decidedStatus(`${i % 2 ? here.url : other}/v1/shares/${id}`)),
        )
        expect(
          statuses.filter((s) => s === 200),
          `statuses: ${statuses.join(' ')}`,
        ).toHaveLength(1)
        expect(statuses.filter((s) => s !== 200 && s !== 404)).toEqual([])
      }
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('refuses bad input with a clear error', async () => {
    const { url } = await newServer(newStore(), { maxBytes: 100, maxTtl: 3600, maxReads: 3 })
    const post = (body: string, type = 'application/json') =>
      fetch(`${url}/v1/shares`, { method: 'POST', headers: { 'content-type': type }, body })
    const error = async (response: Response) => ({
      status: response.status,
      ...((await response.json()) as { error: { code: string; message: string } }).error,
    })
    const ok = (await sealShare('x')).ciphertext

    expect(await error(await post('{'))).toMatchObject({
      status: 400,
      message: 'The body is not valid JSON.',
    })
    expect(await error(await post(JSON.stringify({ ciphertext: ok }), 'text/plain'))).toMatchObject({
      status: 415,
    })
    expect(await error(await post(JSON.stringify({ ciphertext: 'plaintext here!' })))).toMatchObject({
      status: 400,
      message: expect.stringContaining('"ciphertext" must be a polysecret share ciphertext'),
    })
    expect(await error(await post(JSON.stringify({ ciphertext: ok, ttl: 3601 })))).toMatchObject({
      status: 400,
      message: '"ttl" must be a whole number of seconds from 1 to 3600.',
    })
    expect(await error(await post(JSON.stringify({ ciphertext: ok, reads: 4 })))).toMatchObject({
      status: 400,
      message: '"reads" must be a whole number from 1 to 3.',
    })
    // Just over the limit: the ciphertext of 101 bytes is refused, of 100 bytes accepted.
    const big = (await sealShare('y'.repeat(101))).ciphertext
    expect(await error(await post(JSON.stringify({ ciphertext: big })))).toMatchObject({
      status: 413,
      code: 'TOO_LARGE',
    })
    expect(
      (await post(JSON.stringify({ ciphertext: (await sealShare('y'.repeat(100))).ciphertext }))).status,
    ).toBe(201)
    // Far over: refused by the body limit before the body is read.
    expect(await error(await post(JSON.stringify({ ciphertext: 'A'.repeat(1_000_000) })))).toMatchObject({
      status: 413,
    })
    expect(await error(await fetch(`${url}/v1/shares/not-an-id`))).toMatchObject({ status: 400 })
  })

  it("sets no-store and no-referrer on every share response, and leaves the server's other routes alone", async () => {
    const { url } = await newServer(newStore())
    const responses = [
      await create(url),
      await fetch(`${url}/v1/shares/${'B'.repeat(22)}`),
      await fetch(`${url}/share`),
    ]
    for (const response of responses) {
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(response.headers.get('referrer-policy')).toBe('no-referrer')
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    }
    const page = responses[2]!
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
    const health = await fetch(`${url}/health`)
    expect(health.headers.get('cache-control')).toBeNull()
    expect(health.headers.get('content-security-policy')).toBeNull()
  })

  it('deletes a share unread', async () => {
    const { url } = await newServer(newStore())
    const { id } = (await (await create(url)).json()) as { id: string }
    expect((await fetch(`${url}/v1/shares/${id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await fetch(`${url}/v1/shares/${id}`, { method: 'DELETE' })).status).toBe(404)
    expect((await fetch(`${url}/v1/shares/${id}`)).status).toBe(404)
  })

  it('refuses new shares when the store is full (503, retryable)', async () => {
    const store = embeddedShareStore({
      path: join(dir, 'small.enc'),
      key: KEY,
      sweepIntervalMs: 0,
      maxShares: 2,
    })
    stores.push(store)
    const { url } = await newServer(store)
    expect((await create(url)).status).toBe(201)
    expect((await create(url)).status).toBe(201)
    const full = await create(url)
    expect(full.status).toBe(503)
    expect(((await full.json()) as { error: { message: string } }).error.message).toContain(
      'The share store is full (2 shares)',
    )
  })
})
