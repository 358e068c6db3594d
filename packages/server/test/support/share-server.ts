/** A share sub-app served over real HTTP on loopback, the way @polysecret/server mounts it. */
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { ShareRoutesOptions } from '../../src/shares/share-options.js'
import { createShareRoutes } from '../../src/shares/share-routes.js'

export interface RunningShareServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/** Mounts `createShareRoutes(options)` at the root of a hono app and listens on 127.0.0.1:0. */
export async function startShareServer(options: ShareRoutesOptions): Promise<RunningShareServer> {
  const app = new Hono()
  app.get('/health', (c) => c.json({ ok: true })) // a route of "the server", to check the mount stays scoped
  app.route('/', createShareRoutes(options))
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if ('closeAllConnections' in server) server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
