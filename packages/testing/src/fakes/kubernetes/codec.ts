import type { IncomingHttpHeaders } from 'node:http'
import { parse as parseYaml } from 'yaml'
import type { WireResponse } from '../http-server.js'
import { badRequest, type KubeStatus, unsupportedMediaType } from './status.js'

/**
 * Request and response bodies: JSON and YAML bodies in, and the API server's protobuf encoding
 * (`application/vnd.kubernetes.protobuf`) both ways, chosen by `Content-Type` and `Accept` as the API
 * server negotiates them.
 */

export const PROTOBUF = 'application/vnd.kubernetes.protobuf'

/** How a protobuf body is read and written; loaded only when a request uses protobuf. */
export interface ProtobufCodec {
  decode(body: Buffer): unknown
  encode(obj: unknown): Buffer
}

let protobufCodec: Promise<ProtobufCodec> | undefined
const loadProtobuf = () => (protobufCodec ??= import('./protobuf.js').then((m) => m.protobufCodec))

export const mediaType = (header: string | undefined) => (header ?? '').split(';')[0]!.trim().toLowerCase()

/** Decodes a create/replace body (JSON, YAML or protobuf). */
export async function decodeBody(headers: IncomingHttpHeaders, body: Buffer): Promise<unknown> {
  const type = mediaType(headers['content-type'])
  if (type === PROTOBUF) return (await loadProtobuf()).decode(body)
  if (type === 'application/yaml') return parseText(body, true)
  if (type === '' || type === 'application/json' || type === '*/*') return parseText(body, false)
  throw unsupportedMediaType(type, ['application/json', 'application/yaml', PROTOBUF])
}

/** Parses JSON (or YAML); a malformed body is a 400 as from the API server's decoder. */
export function parseText(body: Buffer, yaml: boolean): unknown {
  const text = body.toString('utf8')
  try {
    return yaml ? parseYaml(text) : JSON.parse(text)
  } catch (error) {
    throw badRequest(
      `couldn't get version/kind; json parse error: ${(error as Error).message.split('\n')[0]}`,
    )
  }
}

/** Whether the client prefers protobuf: listed in `Accept` before any JSON type. */
export function wantsProtobuf(headers: IncomingHttpHeaders): boolean {
  const accept = (headers.accept ?? '').split(',').map((t) => mediaType(t))
  const pb = accept.indexOf(PROTOBUF)
  const json = accept.findIndex((t) => t === 'application/json' || t === '*/*')
  return pb >= 0 && (json < 0 || pb < json)
}

/** Answers `obj` (an object, a list or a Status) in the encoding the client asked for. */
export async function encodeResponse(
  status: number,
  obj: unknown,
  headers: IncomingHttpHeaders,
): Promise<WireResponse> {
  const kind = (obj as { kind?: string }).kind
  const encodable = kind !== undefined && !['APIResourceList', 'APIGroupList', 'APIVersions'].includes(kind)
  if (encodable && wantsProtobuf(headers)) {
    const body = (await loadProtobuf()).encode(obj)
    return { status, headers: { 'Content-Type': PROTOBUF }, body }
  }
  return jsonResponse(status, obj)
}

export function jsonResponse(
  status: number,
  obj: unknown,
  headers: Record<string, string> = {},
): WireResponse {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(obj) }
}

export function statusResponse(status: KubeStatus, headers: Record<string, string> = {}): WireResponse {
  return jsonResponse(status.code, status, headers)
}
