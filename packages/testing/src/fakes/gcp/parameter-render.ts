import type { ParameterFormat } from './parameter-manager-state.js'
import { invalidArgument } from './status.js'

/**
 * Payload rules of Parameter Manager: the 1 MiB limit, format validation of JSON and YAML payloads, and
 * secret references `__REF__(//secretmanager.googleapis.com/projects/*\/secrets/*\/versions/*)` (at most
 * 15 per version), which RenderParameterVersion replaces with the secret's payload — in JSON and YAML
 * parameters only (RenderParameterVersionResponse.rendered_payload: "This substitution only works for a
 * Parameter which is in JSON or YAML format"); an UNFORMATTED payload renders as it is.
 */

/** The payload limit of a parameter version. */
export const PARAMETER_PAYLOAD_LIMIT = 1024 * 1024
/** "The maximum number of secret references a parameter version can contain is 15." */
export const MAX_SECRET_REFERENCES = 15

const REFERENCE = /__REF__\(\/\/secretmanager\.googleapis\.com\/([^)\s]+)\)/g

/** The secret version names a payload references, in order of appearance. */
export function secretReferences(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((m) => m[1]!)
}

/** Checks a new version's payload against the limit, its parameter's format and the reference cap. */
export async function checkPayload(data: Buffer, format: ParameterFormat): Promise<void> {
  if (data.length > PARAMETER_PAYLOAD_LIMIT)
    throw invalidArgument(
      `Parameter version payload must be no larger than 1 MiB (${PARAMETER_PAYLOAD_LIMIT} bytes); got ${data.length} bytes.`,
    )
  const text = data.toString('utf8')
  if (format === 'JSON') {
    try {
      JSON.parse(text)
    } catch {
      throw invalidArgument('The payload is not valid JSON, but the parameter format is JSON.')
    }
  } else if (format === 'YAML') {
    const { parseDocument } = await import('yaml')
    if (parseDocument(text).errors.length)
      throw invalidArgument('The payload is not valid YAML, but the parameter format is YAML.')
  }
  if (secretReferences(text).length > MAX_SECRET_REFERENCES)
    throw invalidArgument(`A parameter version can reference at most ${MAX_SECRET_REFERENCES} secrets.`)
}

/** Replaces every reference with the payload `resolve` returns for it (JSON/YAML parameters only). */
export function render(data: Buffer, format: ParameterFormat, resolve: (name: string) => Buffer): Buffer {
  if (format === 'UNFORMATTED') return data
  return Buffer.from(
    data.toString('utf8').replace(REFERENCE, (_, name: string) => resolve(name).toString('utf8')),
    'utf8',
  )
}
