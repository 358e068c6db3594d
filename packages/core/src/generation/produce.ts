/**
 * Runs a spec's generators (each once, so every key that renders one sees the same value) and renders
 * templates from their outputs. Values stay in this module's maps and in `Secret`s; nothing here logs,
 * and errors name generators and keys, never values.
 */
import { ValidationError } from '../errors.js'
import { type GenerateSpec, generate, generateKeyPair } from '../generate.js'
import { applyPipeline } from './helpers.js'
import type { CertificateGenerator, CheckedKey, CheckedSpec, GeneratorSpec } from './spec.js'
import type { TemplatePart } from './template.js'
import { type CaMaterial, createCertificate, createCsr } from './x509.js'

/** A generator's output: one value, or named fields (`cert`, `key` …). */
export type GeneratorOutput = string | Readonly<Record<string, string>>

/** What generation needs from outside: reading a CA's certificate and key from the manager. */
export interface ProduceContext {
  /** Reads a key through the manager and returns its text (a CA certificate or key). */
  readonly readKey: (key: string) => Promise<string>
  readonly now: Date
}

/** Runs the named generators (and the in-spec CAs they need), in dependency order. */
export async function runGenerators(
  spec: CheckedSpec,
  names: Iterable<string>,
  ctx: ProduceContext,
): Promise<Map<string, GeneratorOutput>> {
  const outputs = new Map<string, GeneratorOutput>()
  const running = new Map<string, Promise<GeneratorOutput>>()
  const run = (name: string): Promise<GeneratorOutput> => {
    let pending = running.get(name)
    if (!pending) {
      pending = runOne(name, spec.generators[name]!, run, ctx)
      running.set(name, pending)
    }
    return pending
  }
  for (const name of names) outputs.set(name, await run(name))
  return outputs
}

async function runOne(
  name: string,
  gen: GeneratorSpec,
  run: (name: string) => Promise<GeneratorOutput>,
  ctx: ProduceContext,
): Promise<GeneratorOutput> {
  const where = `generator "${name}"`
  try {
    if (gen.type === 'certificate')
      return { ...(await createCertificate(gen, await caFor(gen, run, ctx), ctx.now, where)) }
    if (gen.type === 'csr') return { ...(await createCsr(gen)) }
    if (gen.type === 'keypair') {
      const { type: _, keyType, ...rest } = gen
      return { ...generateKeyPair({ ...(keyType !== undefined && { type: keyType }), ...rest }) }
    }
    return generate(gen as GenerateSpec)
  } catch (error) {
    if (error instanceof ValidationError && !error.message.includes(where)) {
      throw new ValidationError(`${where}: ${error.message}`, { cause: error })
    }
    throw error
  }
}

async function caFor(
  gen: CertificateGenerator,
  run: (name: string) => Promise<GeneratorOutput>,
  ctx: ProduceContext,
): Promise<CaMaterial | undefined> {
  const ca = gen.ca
  if (ca === undefined) return undefined
  if ('generator' in ca) {
    const out = (await run(ca.generator)) as Record<string, string>
    return { cert: out.cert!, key: out.key! }
  }
  const [cert, key] = await Promise.all([ctx.readKey(ca.cert), ctx.readKey(ca.key)])
  return { cert, key }
}

/** Renders one key's template from the generator outputs. */
export async function render(
  key: CheckedKey,
  outputs: ReadonlyMap<string, GeneratorOutput>,
): Promise<string> {
  try {
    const pieces = await Promise.all(key.parts.map((part) => renderPart(part, outputs)))
    return pieces.join('')
  } catch (error) {
    // A helper's refusal (bcrypt's 72 bytes) names the key it was rendering; its message has no value.
    if (error instanceof ValidationError && error.key === undefined)
      throw new ValidationError(`key "${key.key}": ${error.message}`, { key: key.key, cause: error })
    throw error
  }
}

async function renderPart(
  part: TemplatePart,
  outputs: ReadonlyMap<string, GeneratorOutput>,
): Promise<string> {
  if (part.type === 'text') return part.text
  let value: string
  if (part.ref) {
    const out = outputs.get(part.ref.generator)
    if (out === undefined) throw new Error(`polysecret: generator "${part.ref.generator}" did not run`)
    value = typeof out === 'string' ? out : out[part.ref.field!]!
  } else value = part.literal!
  return applyPipeline(value, part.pipeline)
}
