/**
 * Resolves the environment `run` gives its child: every key of the configured stores, the keys named
 * by --only, or the keys of a schema (validated, coerced). Every problem is collected before failing,
 * so one run says everything that is missing.
 */
import {
  type ConfigIssue,
  type ConfigManager,
  ConfigValidationError,
  NotFoundError,
  type PolysecretError,
  revealConfig,
  revealValue,
  type Secret,
} from '@polysecret/core'
import { listKeys, readListed } from './commands/store-access.js'
import { loadSchemaModule } from './schema-module.js'

export interface EnvRequest {
  only?: string[] | undefined
  schema?: string | undefined
}

export async function resolveEnv(
  manager: ConfigManager,
  request: EnvRequest,
): Promise<Record<string, string>> {
  if (request.schema !== undefined) {
    const config = await manager.load(await loadSchemaModule(request.schema))
    return toEnv(revealConfig(config as Record<string, unknown>) as Record<string, unknown>)
  }
  const { values, errors } = request.only
    ? await manager.getMany(request.only)
    : await readListed(manager, await listKeys(manager))
  failOnErrors(errors)
  return toEnv(
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, revealValue(v as Secret | string)])),
  )
}

/** Missing keys are a validation failure (exit 4) naming all of them; any other error stops the run. */
function failOnErrors(errors: Record<string, PolysecretError>): void {
  const entries = Object.entries(errors)
  const other = entries.find(([, e]) => !(e instanceof NotFoundError))
  if (other) throw other[1]
  if (entries.length === 0) return
  const issues: ConfigIssue[] = entries.map(([key]) => ({
    key,
    path: [key],
    message: 'not found in any configured store',
  }))
  throw new ConfigValidationError(issues)
}

/** Environment values are strings: numbers and booleans as text, objects and arrays as JSON. */
function toEnv(values: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null) continue
    env[key] = typeof value === 'object' ? JSON.stringify(value) : String(value)
  }
  return env
}
