import { Writable } from 'node:stream'
import type { ConfigManager } from '@polysecret/core'
import { createServer, type PolysecretServer, type ServerOptions } from '../../src/index.js'

/** Audit lines written by a server, parsed. */
export class AuditLines extends Writable {
  readonly text: string[] = []
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text.push(...chunk.toString('utf8').split('\n').filter(Boolean))
    done()
  }
  get lines(): Record<string, any>[] {
    return this.text.map((l) => JSON.parse(l))
  }
}

/** One HTTP answer: status, headers, parsed body (JSON, else text) and raw text. */
export interface Answer {
  readonly status: number
  readonly headers: { get(name: string): string | null }
  readonly body: any
  readonly text: string
}

export interface RunningServer extends AsyncDisposable {
  readonly server: PolysecretServer
  readonly audit: AuditLines
  call(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Answer>
}

/** A real server on 127.0.0.1 (random port), its audit lines captured, and a fetch helper. */
export async function startServer(
  manager: ConfigManager,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const audit = new AuditLines()
  const server: PolysecretServer = await createServer(manager, {
    port: 0,
    audit: { destination: audit },
    ...options,
  })
  await server.listen()
  const call = async (
    path: string,
    init: RequestInit & { token?: string; json?: unknown } = {},
  ): Promise<Answer> => {
    const { token, json, ...rest } = init
    const headers = new Headers(rest.headers)
    if (token) headers.set('authorization', `Bearer ${token}`)
    if (json !== undefined) headers.set('content-type', 'application/json')
    const res = await fetch(`${server.url}${path}`, {
      ...rest,
      headers,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    })
    const text = await res.text()
    let body: any
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
    return { status: res.status, headers: res.headers, body, text }
  }
  return {
    server,
    audit,
    call,
    async [Symbol.asyncDispose]() {
      await server.close()
    },
  }
}

export const key = (k: string) => `/v1/secrets/${encodeURIComponent(k)}`
