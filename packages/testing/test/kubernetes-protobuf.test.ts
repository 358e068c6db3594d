import { request } from 'node:https'
import protobuf from 'protobufjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KubernetesFake } from '../src/fakes/kubernetes/kubernetes.js'
import { decodeKubernetesProtobuf, startFake } from '../src/index.js'
import { coreApi } from './kubernetes-helpers.js'

/**
 * Raw HTTPS with the API server's protobuf encoding, as generic clients (client-go) send it. The test
 * writes its bytes with protobufjs from a schema it declares itself, field numbers as in
 * k8s.io/api/core/v1/generated.proto, so it checks the fake against the published schema rather than
 * against the fake's own descriptor.
 */
const schema = protobuf.parse(`
syntax = "proto2";
package k8s;
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message ObjectMeta { optional string name = 1; optional string namespace = 3; optional string uid = 5; optional string resourceVersion = 6; optional Time creationTimestamp = 8; map<string, string> labels = 11; }
message Secret { optional ObjectMeta metadata = 1; map<string, bytes> data = 2; optional string type = 3; map<string, string> stringData = 4; optional bool immutable = 5; }
`).root
const Unknown = schema.lookupType('k8s.Unknown')
const Secret = schema.lookupType('k8s.Secret')
const MAGIC = Buffer.from('k8s\0', 'latin1')

function encodeSecret(secret: Record<string, unknown>): Buffer {
  const raw = Secret.encode(Secret.fromObject(secret)).finish()
  const envelope = Unknown.encode(
    Unknown.fromObject({ typeMeta: { apiVersion: 'v1', kind: 'Secret' }, raw }),
  ).finish()
  return Buffer.concat([MAGIC, envelope])
}

function send(
  fake: KubernetesFake,
  method: string,
  path: string,
  body: Buffer | undefined,
  headers: Record<string, string>,
) {
  return new Promise<{ status: number; type: string | undefined; body: Buffer }>((resolve, reject) => {
    const req = request(
      `${fake.endpoint}${path}`,
      { method, ca: fake.ca, headers: { Authorization: `Bearer ${fake.token}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            type: res.headers['content-type'],
            body: Buffer.concat(chunks),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

describe('kubernetes fake: protobuf bodies (application/vnd.kubernetes.protobuf)', () => {
  let fake: KubernetesFake
  beforeAll(async () => {
    fake = await startFake('kubernetes')
  })
  afterAll(() => fake.stop())

  it('creates a Secret posted as protobuf and answers protobuf when the client Accepts it', async () => {
    const body = encodeSecret({
      metadata: { name: 'pb', labels: { via: 'protobuf' } },
      data: { password: Buffer.from('s3cret') },
      stringData: { user: 'app' },
      type: 'Opaque',
    })
    const res = await send(fake, 'POST', '/api/v1/namespaces/default/secrets', body, {
      'Content-Type': 'application/vnd.kubernetes.protobuf',
      Accept: 'application/vnd.kubernetes.protobuf, application/json',
    })
    expect(res.status).toBe(201)
    expect(res.type).toBe('application/vnd.kubernetes.protobuf')
    expect(res.body.subarray(0, 4)).toEqual(MAGIC)
    const envelope = Unknown.toObject(Unknown.decode(res.body.subarray(4))) as {
      typeMeta: object
      raw: Uint8Array
    }
    expect(envelope.typeMeta).toEqual({ apiVersion: 'v1', kind: 'Secret' })
    const secret = Secret.toObject(Secret.decode(envelope.raw), { longs: Number }) as Record<string, any>
    expect(secret.metadata).toMatchObject({ name: 'pb', namespace: 'default', labels: { via: 'protobuf' } })
    expect(secret.metadata.creationTimestamp.seconds).toBeGreaterThan(0)
    expect(Buffer.from(secret.data.password).toString()).toBe('s3cret')
    expect(Buffer.from(secret.data.user).toString()).toBe('app')
    expect(secret.stringData).toBeUndefined()
    // The same object through the official JSON client.
    const viaJson = await coreApi(fake).readNamespacedSecret({ name: 'pb', namespace: 'default' })
    expect(viaJson.data).toEqual({
      password: Buffer.from('s3cret').toString('base64'),
      user: Buffer.from('app').toString('base64'),
    })
    expect(viaJson.metadata!.resourceVersion).toBe(secret.metadata.resourceVersion)
  })

  it('answers errors as a protobuf Status, and JSON to clients that prefer JSON', async () => {
    const missing = await send(fake, 'GET', '/api/v1/namespaces/default/secrets/nope', undefined, {
      Accept: 'application/vnd.kubernetes.protobuf',
    })
    expect(missing.status).toBe(404)
    expect(decodeKubernetesProtobuf(missing.body)).toMatchObject({
      kind: 'Status',
      code: 404,
      reason: 'NotFound',
    })
    const json = await send(fake, 'GET', '/api/v1/namespaces/default/secrets/nope', undefined, {
      Accept: 'application/json',
    })
    expect(JSON.parse(json.body.toString())).toMatchObject({ kind: 'Status', code: 404 })
    const garbage = await send(
      fake,
      'POST',
      '/api/v1/namespaces/default/secrets',
      Buffer.from('not protobuf'),
      {
        'Content-Type': 'application/vnd.kubernetes.protobuf',
      },
    )
    expect(garbage.status).toBe(400)
  })

  it('accepts YAML bodies too', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  mode: "on"\n'
    const res = await send(fake, 'POST', '/api/v1/namespaces/default/configmaps', Buffer.from(yaml), {
      'Content-Type': 'application/yaml',
    })
    expect(res.status).toBe(201)
    expect(JSON.parse(res.body.toString())).toMatchObject({
      metadata: { name: 'from-yaml' },
      data: { mode: 'on' },
    })
  })
})
