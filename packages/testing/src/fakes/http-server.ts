import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import {
  createServer as createHttp2Server,
  type IncomingHttpHeaders as Http2Headers,
  constants as http2Constants,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2'
import { createServer as createNetServer, type Server, type Socket } from 'node:net'
import { Duplex } from 'node:stream'
import { createSecureContext, TLSSocket } from 'node:tls'
import { type CustomMethods, withCustomMethods } from './custom-methods.js'
import { type DownMode, Faults } from './faults.js'
import type { Quota } from './quota.js'
import { RequestLog } from './request-log.js'
import type { FakeCertificate } from './tls.js'

/**
 * The part every fake shares: an HTTP server on 127.0.0.1 with a random port, a request log, fault
 * injection, and a stop that cannot leave a hung request (or a keep-alive socket) behind. What the
 * bytes mean is left to a {@link WireProtocol}.
 */

/** A response as a protocol wants it sent. */
export interface WireResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Buffer
  /**
   * A response that goes on after its headers (a Kubernetes watch): sent chunked, written by this
   * callback for as long as it likes. `body` is ignored when it is set.
   */
  readonly stream?: (sink: WireStreamSink) => void
}

/** Where a streamed response writes; `stop()` and client disconnects close it. */
export interface WireStreamSink {
  /** Whether the client went away (or the fake stopped): nothing written now arrives. */
  readonly closed: boolean
  write(chunk: string | Buffer): void
  /** Ends the response normally. */
  end(): void
  /** Calls `listener` once when the response ends or the connection closes. */
  onClose(listener: () => void): void
}

/** A fault the protocol has to encode in its own error format. */
export type WireFault =
  | {
      readonly kind: 'error'
      readonly status?: number | undefined
      readonly type?: string | undefined
      readonly message?: string | undefined
    }
  | {
      readonly kind: 'throttle'
      readonly status?: number | undefined
      readonly retryAfterMs?: number | undefined
    }
  | { readonly kind: 'unavailable' }

/** How a service's requests and errors look on the wire. */
export interface WireProtocol {
  /** Names the operation a request is for (`'unknown'` if it cannot tell) and decodes its input. */
  parse(req: IncomingMessage, body: Buffer): { operation: string; input: unknown }
  /** Answers a request that no fault intercepted. */
  handle(req: IncomingMessage, operation: string, input: unknown): WireResponse | Promise<WireResponse>
  /** Encodes an injected fault (or an unexpected exception in `handle`) as this service would. */
  fault(fault: WireFault): WireResponse
}

/** A response on an HTTP/2 stream: headers, an optional body and optional trailers (gRPC's status). */
export interface StreamResponse {
  readonly headers: OutgoingHttpHeaders
  readonly body?: Buffer
  readonly trailers?: OutgoingHttpHeaders
}

/**
 * A protocol spoken over HTTP/2 with prior knowledge (gRPC), served on the same port as the HTTP/1.1
 * {@link WireProtocol}: the server tells the two apart by the HTTP/2 connection preface.
 */
export interface StreamProtocol {
  parse(headers: Http2Headers, body: Buffer): { operation: string; input: unknown }
  handle(headers: Http2Headers, operation: string, input: unknown): StreamResponse | Promise<StreamResponse>
  fault(fault: WireFault): StreamResponse
}

/** Options every fake accepts. */
export interface FakeServerOptions {
  /** Seed for fault dice and generated ids, for reproducible runs. Default: unseeded (`Math.random`). */
  readonly seed?: number
  /** Port to listen on. Default: 0 (a random free port). */
  readonly port?: number
  /** Clock of the fake (epoch ms): request times and quotas use it. Default: `Date.now`. */
  readonly now?: () => number
  /**
   * Request-rate quotas the fake enforces from the start, as the service does (see
   * `faults.quota()`): over a quota, requests get the service's throttling error. Default: none.
   */
  readonly quotas?: readonly Quota[]
}

/** A running fake: where it listens, what it saw, what to break, and how to stop it. */
export interface FakeServer {
  /** Base URL to hand to an SDK, e.g. `http://127.0.0.1:49152` (`https://` for a fake served over TLS). */
  readonly endpoint: string
  readonly host: string
  readonly port: number
  /** Requests received, per operation. */
  readonly requests: RequestLog
  /** Fault injection. */
  readonly faults: Faults
  /**
   * TCP connections open right now: requests in progress (hung ones included) and idle keep-alive
   * sockets. A client that aborts a hung request closes its connection, so this drops back.
   */
  readonly openConnections: number
  /** Closes the listener and every open connection (hung requests included). Idempotent. */
  stop(): Promise<void>
  /** Same as `stop()`, for `await using fake = await startFake(...)`. */
  [Symbol.asyncDispose](): Promise<void>
}

const HOST = '127.0.0.1'

function readBody(req: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, response: WireResponse): void {
  if (res.destroyed || res.headersSent) return
  if (response.stream) {
    sendStreamed(res, response, response.stream)
    return
  }
  const body = response.body ?? ''
  res.writeHead(response.status, { ...response.headers, 'Content-Length': String(Buffer.byteLength(body)) })
  res.end(body)
}

function sendStreamed(
  res: ServerResponse,
  response: WireResponse,
  stream: (sink: WireStreamSink) => void,
): void {
  res.writeHead(response.status, { ...response.headers })
  res.flushHeaders()
  const sink: WireStreamSink = {
    get closed() {
      return res.destroyed || res.writableEnded
    },
    write: (chunk) => {
      if (!sink.closed) res.write(chunk)
    },
    end: () => {
      if (!sink.closed) res.end()
    },
    onClose: (listener) => {
      if (sink.closed) return listener()
      res.once('close', listener)
    },
  }
  stream(sink)
}

/** One request in flight, whichever transport carried it. */
interface Exchange<R> {
  readonly closed: boolean
  /** Drops the connection without an answer (ECONNRESET on the client). */
  reset(): void
  send(response: R): void
  /** Sends the headers and half the body of `response`, then drops the connection. */
  truncate(response: R): void
  /** `response` with its body replaced by bytes the protocol cannot decode. */
  malform(response: R): R
  fault(fault: WireFault): R
  handle(): R | Promise<R>
}

/** The part of a request every transport shares: record it, roll the fault dice, act on the answer. */
async function serve<R>(
  operation: string,
  input: unknown,
  log: RequestLog,
  faults: Faults,
  x: Exchange<R>,
  now: () => number,
): Promise<void> {
  log.record({ operation, input, at: now() })
  const { delayMs, action } = faults.decide(operation)
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs))
  if (x.closed) return
  switch (action.kind) {
    case 'down':
      if (action.mode === 'unavailable') return x.send(x.fault({ kind: 'unavailable' }))
      return x.reset()
    case 'reset':
      return x.reset()
    case 'hang':
      // Leave the request open; stop() destroys the socket so nothing outlives the test.
      return
    case 'throttle':
      return x.send(x.fault({ kind: 'throttle', status: action.status, retryAfterMs: action.retryAfterMs }))
    case 'error':
      return x.send(x.fault({ kind: 'error', ...action.error }))
    case 'pass':
    case 'truncate':
    case 'malform': {
      let response: R
      try {
        response = await x.handle()
      } catch (error) {
        // A bug in a fake must surface as a 500 the test can see, not as a hung request.
        return x.send(x.fault({ kind: 'error', message: `fake failed: ${(error as Error).message}` }))
      }
      if (action.kind === 'truncate') return x.truncate(response)
      return x.send(action.kind === 'malform' ? x.malform(response) : response)
    }
  }
}

/** What a captive proxy or a misrouted request answers where the service's JSON was expected. */
const NOT_THE_SERVICE = Buffer.from('<html><head><title>502</title></head><body>upstream error</body></html>')

function truncateHttp1(res: ServerResponse, response: WireResponse): void {
  if (res.destroyed || res.headersSent) return
  const body = Buffer.from(response.body ?? '')
  res.writeHead(response.status, { ...response.headers, 'Content-Length': String(body.length) })
  res.flushHeaders()
  // Half the promised body, then the connection goes: the client sees a premature end of the message.
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy())
}

/** A gRPC frame (uncompressed flag + length) whose protobuf is invalid: field 0 does not exist. */
const BAD_PROTOBUF = Buffer.from([0, 0, 0, 0, 3, 0x00, 0xff, 0xff])

function truncateHttp2(h2: ServerHttp2Stream, response: StreamResponse): void {
  if (h2.destroyed || h2.headersSent) return
  const body = response.body ?? Buffer.alloc(0)
  h2.respond(response.headers)
  h2.write(body.subarray(0, Math.floor(body.length / 2)), () =>
    h2.close(http2Constants.NGHTTP2_INTERNAL_ERROR),
  )
}

function sendStream(stream: ServerHttp2Stream, response: StreamResponse): void {
  if (stream.destroyed || stream.headersSent) return
  const { headers, body, trailers } = response
  if (!body && !trailers) {
    stream.respond(headers, { endStream: true })
    return
  }
  stream.respond(headers, { waitForTrailers: trailers !== undefined })
  if (trailers) stream.once('wantTrailers', () => stream.sendTrailers(trailers))
  stream.end(body)
}

// The client connection preface of HTTP/2 with prior knowledge (RFC 9113 §3.4); HTTP/1.1 never starts so.
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0')

/**
 * Starts a fake speaking `protocol` over HTTP/1.1 and, when given, `stream` over HTTP/2 on the same
 * port. With `tls` it speaks HTTPS (HTTP/1.1 only) with that certificate instead. With `methods`, requests
 * with a method Node's parser does not know (Vault's `LIST`) reach the protocol too. Service fakes wrap this
 * and add their `seed`/`state`.
 */
export async function startFakeServer(
  protocol: WireProtocol,
  options: FakeServerOptions = {},
  stream?: StreamProtocol,
  tls?: FakeCertificate,
  methods?: CustomMethods,
): Promise<FakeServer> {
  if (methods && (tls || stream))
    throw new TypeError('custom HTTP methods are served over plain HTTP/1.1 only')
  if (tls && stream) throw new TypeError('a fake serves either HTTP/2 streams or TLS, not both')
  const secureContext = tls && createSecureContext({ cert: tls.cert, key: tls.key })
  const requests = new RequestLog()
  const now = options.now ?? Date.now
  const faults = new Faults({ seed: options.seed, now, quotas: options.quotas })
  const sockets = new Set<Socket>()
  let stopped = false

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req)
    const { operation, input } = protocol.parse(req, body)
    await serve(
      operation,
      input,
      requests,
      faults,
      {
        get closed() {
          return res.destroyed
        },
        reset: () => req.socket.destroy(),
        send: (response) => send(res, response),
        truncate: (response) => (response.stream ? send(res, response) : truncateHttp1(res, response)),
        malform: (response) => (response.stream ? response : { ...response, body: NOT_THE_SERVICE }),
        fault: (fault) => protocol.fault(fault),
        handle: () => protocol.handle(req, operation, input),
      },
      now,
    )
  }

  const onStream = async (h2: ServerHttp2Stream, headers: Http2Headers, p: StreamProtocol) => {
    const body = await readBody(h2)
    const { operation, input } = p.parse(headers, body)
    await serve(
      operation,
      input,
      requests,
      faults,
      {
        get closed() {
          return h2.destroyed
        },
        // Closing the session ends the connection under it, as a reset would.
        reset: () => h2.session?.destroy(),
        send: (response) => sendStream(h2, response),
        truncate: (response) => truncateHttp2(h2, response),
        malform: (response) => (response.body ? { ...response, body: BAD_PROTOBUF } : response),
        fault: (fault) => p.fault(fault),
        handle: () => p.handle(headers, operation, input),
      },
      now,
    )
  }

  const http1 = createServer((req, res) => {
    onRequest(req, res).catch(() => req.socket.destroy())
  })
  const http2 = stream && createHttp2Server()
  http2?.on('stream', (h2, headers) => {
    onStream(h2, headers, stream!).catch(() => h2.session?.destroy())
  })

  const server: Server = createNetServer((socket) => {
    // As node's own HTTP servers do: without it, Nagle's algorithm holds a gRPC answer's trailers back
    // until the client's delayed ACK (~40 ms per call on Linux), which no real Google front end does.
    socket.setNoDelay(true)
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    if (secureContext) {
      // The raw socket stays in `sockets`, so stop() and down() destroy it under the TLS layer.
      const secure = new TLSSocket(socket, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] })
      // A client that rejects the certificate aborts the handshake; nothing to answer.
      secure.on('error', () => socket.destroy())
      http1.emit('connection', secure)
      return
    }
    if (!http2) {
      http1.emit('connection', methods ? withCustomMethods(socket, methods) : socket)
      return
    }
    socket.once('data', (chunk: Buffer) => {
      socket.pause()
      socket.unshift(chunk)
      if (chunk.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE)) {
        // An HTTP/2 session reads a net.Socket's native handle and would miss the unshifted preface;
        // through a JS duplex it reads the stream, preface included.
        http2.emit('connection', Duplex.from({ readable: socket, writable: socket }))
      } else {
        http1.emit('connection', socket)
      }
      socket.resume()
    })
  })

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, HOST, () => {
        server.off('error', reject)
        resolve()
      })
    })
  const close = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) {
        for (const s of sockets) s.destroy()
        return resolve()
      }
      server.close(() => resolve())
      // Keep-alive and hung sockets would hold close() open forever.
      for (const s of sockets) s.destroy()
    })

  await listen(options.port ?? 0)
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('fake server has no TCP address')
  const port = address.port

  faults.attach({
    async down(mode: DownMode) {
      // Only 'refuse' drops open connections; the other modes fail requests as they arrive, which keeps
      // clients from racing a half-closed keep-alive socket.
      if (mode !== 'refuse') return
      await close()
      // Let clients in this process see the FIN of their pooled sockets, so their next request opens a
      // new connection (and is refused) instead of writing into a dead one.
      await new Promise((r) => setTimeout(r, 5))
    },
    async up() {
      if (!server.listening && !stopped) await listen(port)
    },
  })

  const stop = async () => {
    stopped = true
    await close()
  }
  return {
    endpoint: `${tls ? 'https' : 'http'}://${HOST}:${port}`,
    host: HOST,
    port,
    requests,
    faults,
    get openConnections() {
      return sockets.size
    },
    stop,
    [Symbol.asyncDispose]: stop,
  }
}
