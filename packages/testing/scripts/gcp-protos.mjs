// Regenerates src/fakes/gcp/protos.json: the Secret Manager and Parameter Manager v1 services and every
// message they reach, trimmed out of the descriptors the official clients ship (build/protos/protos.json).
// The fakes encode and decode with it, so they speak exactly the clients' wire format without depending on
// the clients at run time. Run after bumping @google-cloud/secret-manager or @google-cloud/parametermanager:
//   node packages/testing/scripts/gcp-protos.mjs && npx biome format --write packages/testing/src/fakes/gcp/protos.json
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))

const services = [
  ['@google-cloud/secret-manager', 'google.cloud.secretmanager.v1.SecretManagerService'],
  ['@google-cloud/parametermanager', 'google.cloud.parametermanager.v1.ParameterManager'],
]
// IAM and location mixins are not part of what the fakes serve.
const skippedMethods = new Set(['SetIamPolicy', 'GetIamPolicy', 'TestIamPermissions'])

const out = { nested: {} }
function place(fullName, json) {
  const parts = fullName.replace(/^\./, '').split('.')
  let node = out
  for (const part of parts.slice(0, -1)) {
    node.nested ??= {}
    node = node.nested[part] ??= {}
  }
  node.nested ??= {}
  node.nested[parts.at(-1)] = json
}

/** Field and message options (field_behavior, resource) mean nothing to an encoder; drop them. */
function strip(json) {
  if (json.fields) for (const f of Object.values(json.fields)) delete f.options
  delete json.options
  if (json.nested) for (const n of Object.values(json.nested)) if (n.fields || n.nested) strip(n)
  return json
}

for (const [pkg, serviceName] of services) {
  const descriptor = require(`${pkg}/build/protos/protos.json`)
  const root = protobuf.Root.fromJSON(descriptor)
  root.resolveAll()
  const service = root.lookupService(serviceName)
  const seen = new Set()
  const tops = new Map()
  const visit = (type) => {
    if (seen.has(type)) return
    seen.add(type)
    let top = type
    while (
      top.parent &&
      !(top.parent instanceof protobuf.Root) &&
      top.parent.constructor !== protobuf.Namespace
    )
      top = top.parent
    tops.set(top.fullName, top)
    if (type instanceof protobuf.Type) {
      for (const field of type.fieldsArray) if (field.resolvedType) visit(field.resolvedType)
      for (const nested of type.nestedArray) visit(nested)
    }
  }
  const methods = {}
  for (const method of service.methodsArray) {
    if (skippedMethods.has(method.name)) continue
    visit(method.resolvedRequestType)
    visit(method.resolvedResponseType)
    methods[method.name] = {
      requestType: method.resolvedRequestType.fullName.slice(1),
      responseType: method.resolvedResponseType.fullName.slice(1),
      options: method.options,
    }
  }
  for (const [name, type] of tops) place(name, strip(type.toJSON()))
  place(service.fullName, { methods })
}

writeFileSync(join(here, '../src/fakes/gcp/protos.json'), `${JSON.stringify(out)}\n`)
