/**
 * A loopback TCP relay in front of a server that keeps every byte clients send — the server-side view
 * of the traffic, headers and bodies alike (plain HTTP on loopback, so nothing is hidden). Tests point
 * the browser at the relay and then search what the server received.
 */
import { connect, createServer, type Socket } from 'node:net'

export interface TrafficRecorder {
  /** `http://127.0.0.1:<relay port>` */
  readonly url: string
  /** Everything clients sent so far, all connections concatenated in arrival order. */
  received(): Buffer
  close(): Promise<void>
}

/** Relays 127.0.0.1:<new port> → 127.0.0.1:`targetPort`, recording the client → server direction. */
export async function recordTraffic(targetPort: number): Promise<TrafficRecorder> {
  const chunks: Buffer[] = []
  const sockets = new Set<Socket>()
  const relay = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)))
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
  const { port } = relay.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => Buffer.concat(chunks),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        relay.close(() => resolve())
      }),
  }
}
