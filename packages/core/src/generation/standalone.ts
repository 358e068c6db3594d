/**
 * Generation without the write side: render a spec's keys to values, or run a spec file against a
 * manager and get printable text (what `polysecret generate` prints).
 */
import type { ConfigManager } from '../config-manager.js'
import { ValidationError } from '../errors.js'
import { Secret } from '../secret.js'
import { render, runGenerators } from './produce.js'
import { formatGenerateReport } from './report.js'
import { type GenerateOptions, type GenerateReport, generateWithManager } from './run.js'
import { checkSpec, type GenerationSpec, loadGenerationSpec, parseSpecText } from './spec.js'

/** Options for {@link renderGenerationSpec}. */
export interface RenderOptions {
  /** Reads a key named by a certificate's `ca: { cert, key }`; needed only for such specs. */
  readonly readKey?: (key: string) => Promise<string>
  /** @default () => new Date() */
  readonly now?: () => Date
}

/**
 * Generates every key of a spec and returns the values as `Secret`s, writing nothing — for a caller
 * that stores them itself.
 *
 * @example
 * ```ts
 * import { renderGenerationSpec } from '@polysecret/core'
 * const values = await renderGenerationSpec({
 *   generators: { password: { type: 'password', length: 24 } },
 *   keys: { DB_PASSWORD: '{{ .gen.password }}', DB_PASSWORD_SHA256: '{{ .gen.password | sha256 }}' },
 * })
 * values.DB_PASSWORD.reveal()
 * ```
 */
export async function renderGenerationSpec(
  spec: GenerationSpec | string,
  options: RenderOptions = {},
): Promise<Record<string, Secret>> {
  const checked = checkSpec(typeof spec === 'string' ? await parseSpecText(spec) : spec)
  const readKey =
    options.readKey ??
    (async (key: string) => {
      throw new ValidationError(`renderGenerationSpec(): the spec reads CA key "${key}"; pass readKey.`, {
        key,
      })
    })
  const now = (options.now ?? (() => new Date()))()
  const outputs = await runGenerators(checked, new Set(checked.keys.flatMap((k) => k.generators)), {
    now,
    readKey,
  })
  const out: Record<string, Secret> = {}
  for (const key of checked.keys) out[key.key] = new Secret(await render(key, outputs))
  return out
}

/** What {@link runGenerate} returns: the report, its text, and whether every target succeeded. */
export interface GenerateRun {
  readonly report: GenerateReport
  readonly text: string
  readonly ok: boolean
}

/**
 * Runs a spec — a file path (`.yaml`, `.yml`, `.json`) or an object — against a manager and returns the
 * report with its printable text. The function behind `polysecret generate`.
 *
 * @example
 * ```ts
 * import { createManager, runGenerate } from '@polysecret/core'
 * const manager = await createManager('polysecret.config.yaml')
 * const { text, ok } = await runGenerate(manager, 'secrets.gen.yaml', { dryRun: true })
 * console.log(text)
 * ```
 */
export async function runGenerate(
  manager: ConfigManager,
  spec: string | GenerationSpec,
  options: GenerateOptions = {},
): Promise<GenerateRun> {
  const loaded = typeof spec === 'string' ? ((await loadGenerationSpec(spec)) as GenerationSpec) : spec
  const report = await generateWithManager(manager, loaded, options)
  return { report, text: formatGenerateReport(report), ok: report.ok }
}
