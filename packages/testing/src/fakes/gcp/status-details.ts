import protobuf from 'protobufjs'
import { STATUS_CODES, type StatusName } from './status.js'

/**
 * The `grpc-status-details-bin` trailer of Google's gRPC APIs: a whole binary `google.rpc.Status`
 * (code, message, details as `google.protobuf.Any`), base64 on the wire like every `-bin` metadata
 * value. Fields as in googleapis' google/rpc/status.proto and google/rpc/error_details.proto; the
 * official clients (google-gax) decode it into `error.statusDetails`.
 */

const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: { fields: { retryDelay: { type: 'google.protobuf.Duration', id: 1 } } },
          },
        },
      },
    },
  },
})
const Status = root.lookupType('google.rpc.Status')
const RetryInfo = root.lookupType('google.rpc.RetryInfo')

/** A detail to attach to an error status. */
export interface StatusDetails {
  /** google.rpc.RetryInfo: how long the client should wait before retrying. */
  readonly retryAfterMs?: number
}

/** The `grpc-status-details-bin` value (base64) for `status` with `details`, or undefined when there are none. */
export function statusDetailsBin(
  status: StatusName,
  message: string,
  details: StatusDetails,
): string | undefined {
  const anys: { type_url: string; value: Uint8Array }[] = []
  if (details.retryAfterMs !== undefined) {
    const ms = Math.max(0, Math.round(details.retryAfterMs))
    const retryDelay = { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 }
    anys.push({
      type_url: 'type.googleapis.com/google.rpc.RetryInfo',
      value: RetryInfo.encode(RetryInfo.fromObject({ retryDelay })).finish(),
    })
  }
  if (anys.length === 0) return undefined
  const bytes = Status.encode(
    Status.fromObject({ code: STATUS_CODES[status], message, details: anys }),
  ).finish()
  return Buffer.from(bytes).toString('base64')
}
