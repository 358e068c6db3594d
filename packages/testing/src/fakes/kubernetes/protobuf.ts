import protobuf from 'protobufjs'
import type { ProtobufCodec } from './codec.js'
import descriptor from './protos.json' with { type: 'json' }
import { badRequest } from './status.js'

/**
 * The API server's protobuf encoding (`application/vnd.kubernetes.protobuf`): the 4-byte magic `k8s\0`,
 * then a `runtime.Unknown` whose `typeMeta` names apiVersion and kind and whose `raw` holds the object's
 * message (`k8s.io.api.core.v1.Secret` …). The messages are trimmed from `k8s.io/api/core/v1/generated.proto`
 * and apimachinery's `meta/v1` and `runtime` protos, field numbers unchanged. Objects convert to and from
 * their JSON form here: bytes ↔ base64, `Time` ↔ RFC 3339, `FieldsV1.Raw` ↔ the fieldsV1 JSON.
 */

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace)
root.resolveAll()
const CORE = 'k8s.io.api.core.v1'
const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown')
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00])

const typeOf = (kind: string): protobuf.Type => {
  if (kind === 'Status') return root.lookupType('k8s.io.apimachinery.pkg.apis.meta.v1.Status')
  if (['Secret', 'ConfigMap', 'Namespace', 'SecretList', 'ConfigMapList', 'NamespaceList'].includes(kind))
    return root.lookupType(`${CORE}.${kind}`)
  throw badRequest(
    `no kind "${kind}" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"`,
  )
}

type Obj = Record<string, any>

const toTime = (s: unknown) =>
  typeof s === 'string' ? { seconds: Math.floor(Date.parse(s) / 1000), nanos: 0 } : undefined
const fromTime = (t: Obj | undefined) =>
  t ? new Date(Number(t.seconds ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined
const mapValues = (m: Obj | undefined, f: (v: any) => any) =>
  m ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, f(v)])) : undefined

function metaToProto(meta: Obj | undefined): Obj | undefined {
  if (!meta) return undefined
  return {
    ...meta,
    creationTimestamp: toTime(meta.creationTimestamp),
    deletionTimestamp: toTime(meta.deletionTimestamp),
    managedFields: meta.managedFields?.map((e: Obj) => ({
      ...e,
      time: toTime(e.time),
      fieldsV1: { Raw: Buffer.from(JSON.stringify(e.fieldsV1 ?? {})) },
    })),
  }
}

function metaFromProto(meta: Obj | undefined): Obj {
  const out: Obj = { ...meta }
  for (const f of ['creationTimestamp', 'deletionTimestamp']) if (out[f]) out[f] = fromTime(out[f])
  if (out.managedFields)
    out.managedFields = out.managedFields.map((e: Obj) => ({
      ...e,
      time: fromTime(e.time),
      fieldsV1: JSON.parse(Buffer.from(e.fieldsV1?.Raw ?? '', 'base64').toString('utf8') || '{}'),
    }))
  return out
}

const b64ToBytes = (v: string) => Buffer.from(v, 'base64')

function objectToProto(kind: string, obj: Obj): Obj {
  if (kind === 'Status') return obj
  if (kind.endsWith('List'))
    return { metadata: obj.metadata, items: obj.items.map((i: Obj) => objectToProto(kind.slice(0, -4), i)) }
  const out: Obj = { ...obj, metadata: metaToProto(obj.metadata) }
  if (kind === 'Secret') out.data = mapValues(obj.data, b64ToBytes)
  if (kind === 'ConfigMap') out.binaryData = mapValues(obj.binaryData, b64ToBytes)
  if (kind === 'Namespace' && obj.status?.conditions)
    out.status = {
      ...obj.status,
      conditions: obj.status.conditions.map((c: Obj) => ({
        ...c,
        lastTransitionTime: toTime(c.lastTransitionTime),
      })),
    }
  return out
}

function objectFromProto(kind: string, msg: Obj): Obj {
  const out: Obj = { apiVersion: 'v1', kind, ...msg, metadata: metaFromProto(msg.metadata) }
  for (const map of ['data', 'binaryData', 'stringData'])
    if (out[map] && Object.keys(out[map]).length === 0) delete out[map]
  return out
}

const OBJECT_OPTIONS: protobuf.IConversionOptions = { longs: Number, bytes: String, defaults: false }

export const protobufCodec: ProtobufCodec = {
  decode(body) {
    if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
      throw badRequest('provided object is not a protobuf message: missing the k8s\\0 prefix')
    let envelope: Obj
    try {
      envelope = unknown.toObject(unknown.decode(body.subarray(4)), { bytes: Array }) as Obj
    } catch (error) {
      throw badRequest(`unable to decode the protobuf envelope: ${(error as Error).message}`)
    }
    const kind = String(envelope.typeMeta?.kind ?? '')
    if (envelope.typeMeta?.apiVersion !== 'v1')
      throw badRequest(`unsupported apiVersion "${envelope.typeMeta?.apiVersion}"`)
    const type = typeOf(kind)
    try {
      const msg = type.toObject(type.decode(Buffer.from(envelope.raw ?? [])), OBJECT_OPTIONS) as Obj
      return objectFromProto(kind, msg)
    } catch (error) {
      throw badRequest(`unable to decode a ${kind}: ${(error as Error).message}`)
    }
  },
  encode(obj) {
    const o = obj as Obj
    const kind = String(o.kind)
    const type = typeOf(kind)
    const raw = type.encode(type.fromObject(objectToProto(kind, o))).finish()
    const envelope = unknown
      .encode(
        unknown.fromObject({
          typeMeta: { apiVersion: 'v1', kind },
          raw,
          contentEncoding: '',
          contentType: '',
        }),
      )
      .finish()
    return Buffer.concat([MAGIC, envelope])
  },
}

/** Encodes `obj` (JSON form, with `kind`) as the API server would; for tests and raw clients. */
export const encodeKubernetesProtobuf = (obj: unknown): Buffer => protobufCodec.encode(obj)
/** Decodes an API server protobuf body into the JSON form of its object. */
export const decodeKubernetesProtobuf = (body: Buffer): unknown => protobufCodec.decode(body)
