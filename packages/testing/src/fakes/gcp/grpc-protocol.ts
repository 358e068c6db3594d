import type { IncomingHttpHeaders } from 'node:http2'
import type { StreamProtocol, StreamResponse, WireFault } from '../http-server.js'
import { decodeBinary, encodeBinary } from './proto.js'
import { faultStatus, type ResolvedService } from './service.js'
import { GcpError, STATUS_CODES, type StatusName } from './status.js'
import { type StatusDetails, statusDetailsBin } from './status-details.js'

/**
 * gRPC over HTTP/2 (the official clients' default transport): `POST /<package>.<Service>/<Method>`,
 * `content-type: application/grpc`, each message framed as 1 byte "compressed" + 4 bytes length +
 * protobuf; the outcome in the `grpc-status` / `grpc-message` trailers (a failure is "trailers only"),
 * with `grpc-status-details-bin` (a google.rpc.Status carrying RetryInfo) when a throttle asks for a wait.
 */

function frame(message: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.writeUInt32BE(message.length, 1)
  return Buffer.concat([header, message])
}

function unframe(body: Buffer): Buffer {
  if (body.length < 5) throw new GcpError('INTERNAL', 'gRPC message frame is truncated.')
  if (body[0] !== 0)
    throw new GcpError('UNIMPLEMENTED', 'Compressed gRPC messages are not supported by this fake.')
  const length = body.readUInt32BE(1)
  if (body.length !== 5 + length) throw new GcpError('INTERNAL', 'gRPC message frame length does not match.')
  return body.subarray(5)
}

// grpc-message is percent-encoded (gRPC over HTTP/2 spec: printable ASCII except '%' stays as is).
function encodeMessage(message: string): string {
  return Array.from(Buffer.from(message, 'utf8'))
    .map((b) =>
      b >= 0x20 && b <= 0x7e && b !== 0x25
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('')
}

function statusResponse(status: StatusName, message: string, details: StatusDetails = {}): StreamResponse {
  const bin = statusDetailsBin(status, message, details)
  return {
    headers: {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': String(STATUS_CODES[status]),
      'grpc-message': encodeMessage(message),
      ...(bin !== undefined && { 'grpc-status-details-bin': bin }),
    },
  }
}

/** The gRPC transport of one service. */
export function grpcProtocol(service: ResolvedService): StreamProtocol {
  const prefix = `/${service.fullName}/`
  return {
    parse(headers, body) {
      const path = String(headers[':path'] ?? '')
      const name = path.startsWith(prefix) ? path.slice(prefix.length) : ''
      const method = service.methods.get(name)
      if (!method) return { operation: 'unknown', input: undefined }
      try {
        return { operation: name, input: decodeBinary(method.requestType, unframe(body)) }
      } catch (error) {
        return { operation: name, input: error instanceof GcpError ? error : undefined }
      }
    },

    async handle(headers: IncomingHttpHeaders, operation, input) {
      try {
        if (!String(headers['content-type'] ?? '').startsWith('application/grpc'))
          throw new GcpError(
            'UNKNOWN',
            `Expected content-type application/grpc, got "${headers['content-type']}".`,
          )
        const method = service.methods.get(operation)
        if (!method) throw new GcpError('UNIMPLEMENTED', `Unknown method ${String(headers[':path'])}.`)
        if (input instanceof GcpError) throw input
        if (input === undefined) throw new GcpError('INTERNAL', 'Failed to parse the request message.')
        const output = await service.call(operation, input as Record<string, any>)
        return {
          headers: { ':status': 200, 'content-type': 'application/grpc' },
          body: frame(encodeBinary(method.responseType, output)),
          trailers: { 'grpc-status': '0', 'grpc-message': '' },
        }
      } catch (error) {
        if (error instanceof GcpError) return statusResponse(error.status, error.message)
        throw error
      }
    },

    fault(fault: WireFault) {
      const { status, message, retryAfterMs } = faultStatus(fault)
      return statusResponse(status, message, retryAfterMs === undefined ? {} : { retryAfterMs })
    },
  }
}
