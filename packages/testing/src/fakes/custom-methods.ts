import type { Socket } from 'node:net'
import { Duplex, Transform, type TransformCallback } from 'node:stream'

/**
 * Node's HTTP parser knows a fixed list of methods and answers anything else (Vault's `LIST`) with
 * 400 before a handler sees it. This sits between the socket and the parser: a request line with one
 * of `methods` becomes `GET`, and a header carries the method the client sent. It follows message
 * boundaries by `Content-Length`; after a chunked request body it stops rewriting that connection
 * (Vault clients send LIST without a body, and chunked uploads with Content-Length-less framing).
 */

export interface CustomMethods {
  /** Methods to let through, e.g. `['LIST']`. */
  readonly customMethods: readonly string[]
  /** Header (lower case) that tells the protocol the method the client sent. */
  readonly originalMethodHeader: string
}

const HEAD_END = Buffer.from('\r\n\r\n')
const MAX_HEAD = 64 * 1024

class MethodRewriter extends Transform {
  #pending: Buffer = Buffer.alloc(0)
  /** Body bytes of the current message still to pass through unchanged. */
  #bodyLeft = 0
  #passthrough = false

  constructor(private readonly options: CustomMethods) {
    super()
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.#passthrough) {
      done(null, chunk)
      return
    }
    let data: Buffer = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk
    this.#pending = Buffer.alloc(0)
    const out: Buffer[] = []
    while (data.length > 0) {
      if (this.#bodyLeft > 0) {
        const n = Math.min(this.#bodyLeft, data.length)
        out.push(data.subarray(0, n))
        this.#bodyLeft -= n
        data = data.subarray(n)
        continue
      }
      const end = data.indexOf(HEAD_END)
      if (end === -1) {
        if (data.length > MAX_HEAD) {
          this.#passthrough = true
          out.push(data)
        } else this.#pending = data
        break
      }
      const head = data.subarray(0, end + 4).toString('latin1')
      data = data.subarray(end + 4)
      out.push(Buffer.from(this.#rewrite(head), 'latin1'))
      if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) {
        this.#passthrough = true
        out.push(data)
        break
      }
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)
      this.#bodyLeft = length ? Number(length[1]) : 0
    }
    done(null, Buffer.concat(out))
  }

  #rewrite(head: string): string {
    const space = head.indexOf(' ')
    const method = head.slice(0, space)
    if (!this.options.customMethods.includes(method)) return head
    const lineEnd = head.indexOf('\r\n')
    return `GET${head.slice(space, lineEnd)}\r\n${this.options.originalMethodHeader}: ${method}${head.slice(lineEnd)}`
  }
}

/** A duplex over `socket` whose readable side has custom methods rewritten for Node's parser. */
export function withCustomMethods(socket: Socket, options: CustomMethods): Duplex {
  const readable = socket.pipe(new MethodRewriter(options))
  const duplex = Duplex.from({ readable, writable: socket })
  duplex.on('error', () => socket.destroy())
  duplex.on('close', () => socket.destroy())
  return duplex
}
