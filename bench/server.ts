/**
 * `pnpm bench server`: the HTTP sidecar under load — requests/s and latency percentiles at 100
 * concurrent clients (autocannon, loopback only), for a cached read (the manager's cache answers) and
 * an uncached one (cache off: every request is a Secrets Manager call to the fake, which runs in its
 * own process). The server and autocannon share this process, so figures include the client's CPU.
 */

import { serve as serveHono } from '@hono/node-server'
import { secretsManager } from '@polysecret/aws'
import { ConfigManager } from '@polysecret/core'
import { createServer } from '@polysecret/server'
import autocannon from 'autocannon'
import { Hono } from 'hono'
import { startFakeProcess } from './fake-process.js'
import { fmt, writeResults } from './lib.js'

const CONNECTIONS = 100
const DURATION_S = 8

interface LoadFigures {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  errors: number
}

async function load(url: string): Promise<LoadFigures> {
  // A short warm-up fills the cache and the SDK's connection pool before measuring.
  await autocannon({ url, connections: CONNECTIONS, duration: 1 })
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S })
  return {
    requestsPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  }
}

async function scenario(cache: boolean, endpoint: string): Promise<LoadFigures> {
  const manager = new ConfigManager({
    secrets: [
      secretsManager({
        region: 'us-east-1',
        endpoint,
        credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
      }),
    ],
    cache: cache ? {} : false,
  })
  const server = await createServer(manager, { port: 0, audit: false, rateLimit: false })
  await server.listen()
  try {
    return await load(`${server.url}/v1/secrets/DB_PASSWORD`)
  } finally {
    await server.close()
    await manager.close()
  }
}

/** The floor on this machine: a bare hono app answering a constant JSON body, same client and load. */
async function bareHono(): Promise<LoadFigures> {
  const app = new Hono()
  app.get('/x', (c) => c.json({ key: 'DB_PASSWORD', value: 'hunter2-bench' }))
  const http = serveHono({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise((resolve) => http.once('listening', resolve))
  try {
    return await load(`http://127.0.0.1:${(http.address() as { port: number }).port}/x`)
  } finally {
    await new Promise((resolve) => http.close(resolve))
  }
}

export async function runServer(): Promise<Record<string, LoadFigures>> {
  await using sm = await startFakeProcess('aws-secrets-manager', {
    secrets: { DB_PASSWORD: 'hunter2-bench' },
  })
  const bare = await bareHono()
  // Uncached first: the SDK's lazy load and the JIT warm-up then do not land in the cached figure.
  const uncached = await scenario(false, sm.endpoint)
  const cached = await scenario(true, sm.endpoint)
  const figures = { connections: CONNECTIONS, durationSeconds: DURATION_S, bareHono: bare, cached, uncached }
  const file = writeResults('server', figures)
  console.log('server (100 concurrent clients, loopback)')
  for (const [name, f] of Object.entries({ 'bare hono': bare, cached, uncached }))
    console.log(
      `  ${name.padEnd(10)} ${fmt(f.requestsPerSecond).padStart(7)} req/s  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  (non-2xx ${f.non2xx}, errors ${f.errors})`,
    )
  console.log(`  → ${file}`)
  return { cached, uncached }
}
