import { fromProto3JSON, type JSONValue, toProto3JSON } from 'proto3-json-serializer'
import protobuf from 'protobufjs'
import descriptor from './protos.json' with { type: 'json' }

/**
 * The Secret Manager and Parameter Manager v1 schemas, trimmed from the descriptors the official clients
 * ship (regenerate with `scripts/gcp-protos.mjs`), and the conversions both transports need: binary
 * protobuf for gRPC, proto3 JSON for REST, and one plain-object form the fakes' handlers work on.
 *
 * The plain-object form is protobufjs's `toObject` with int64 as decimal strings, enums as names,
 * bytes as `Buffer`, and well-known types as their messages (`Timestamp` = `{ seconds, nanos }`).
 */

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace)
root.resolveAll()

const OBJECT_OPTIONS: protobuf.IConversionOptions = { longs: String, enums: String }

/** One RPC of a service: its message types and the REST bindings of its `google.api.http` rule. */
export interface RpcMethod {
  readonly name: string
  readonly requestType: protobuf.Type
  readonly responseType: protobuf.Type
  readonly bindings: readonly HttpBinding[]
}

/** One REST binding: verb, path template (`/v1/{name=projects/*\/secrets/*}:access`) and body field. */
export interface HttpBinding {
  readonly verb: string
  readonly template: string
  /** `*` (the whole request), a field name (camelCase), or undefined (no body). */
  readonly body: string | undefined
}

const VERBS = ['get', 'post', 'patch', 'put', 'delete'] as const

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
}

function bindingsOf(options: Record<string, unknown> | undefined): HttpBinding[] {
  const out: HttpBinding[] = []
  for (const prefix of ['(google.api.http)', '(google.api.http).additional_bindings']) {
    for (const verb of VERBS) {
      const template = options?.[`${prefix}.${verb}`]
      if (typeof template !== 'string') continue
      const body = options?.[`${prefix}.body`]
      out.push({
        verb: verb.toUpperCase(),
        template,
        body: typeof body === 'string' ? (body === '*' ? '*' : camel(body)) : undefined,
      })
    }
  }
  return out
}

/** The methods of a service by name, e.g. `google.cloud.secretmanager.v1.SecretManagerService`. */
export function serviceMethods(fullName: string): ReadonlyMap<string, RpcMethod> {
  const service = root.lookupService(fullName)
  const methods = new Map<string, RpcMethod>()
  const raw = (descriptor as any).nested
  const path = fullName.split('.')
  let node = { nested: raw } as any
  for (const part of path) node = node.nested[part]
  for (const method of service.methodsArray) {
    methods.set(method.name, {
      name: method.name,
      requestType: method.resolvedRequestType!,
      responseType: method.resolvedResponseType!,
      bindings: bindingsOf(node.methods[method.name]?.options),
    })
  }
  return methods
}

/** Decodes a binary protobuf message into the plain-object form. */
export function decodeBinary(type: protobuf.Type, bytes: Uint8Array): Record<string, any> {
  return type.toObject(type.decode(bytes), OBJECT_OPTIONS)
}

/** Encodes a plain-object message as binary protobuf. */
export function encodeBinary(type: protobuf.Type, value: Record<string, unknown>): Buffer {
  return Buffer.from(type.encode(type.fromObject(value)).finish())
}

/** Reads a proto3 JSON message into the plain-object form; throws on JSON the schema rejects. */
export function decodeJson(type: protobuf.Type, json: unknown): Record<string, any> {
  const message = fromProto3JSON(type, json as JSONValue)
  if (!message) throw new TypeError(`not a ${type.name} message`)
  return type.toObject(message, OBJECT_OPTIONS)
}

/** Writes a plain-object message as proto3 JSON (camelCase; enums as names, or numbers when asked). */
export function encodeJson(
  type: protobuf.Type,
  value: Record<string, unknown>,
  numericEnums: boolean,
): JSONValue {
  return toProto3JSON(type.fromObject(value), { numericEnums })
}
