/**
 * Loads a schema module for `validate` and `run --schema`: a file whose default export (or `schema`
 * export) is a Standard Schema object schema (zod 4, valibot, arktype). Loaded with a plain dynamic
 * import — no TypeScript loader is bundled: `.js`, `.mjs` and `.cjs` always work; `.ts`/`.mts` work
 * where Node strips types itself (Node ≥ 22.18 or 23.6); on Node 20 compile it first or run the CLI
 * under `tsx` (`npx tsx $(which polysecret) validate --schema schema.ts`).
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { AnySchema } from '@polysecret/core'
import { CliError, EXIT } from './exit-codes.js'

export async function loadSchemaModule(file: string): Promise<AnySchema> {
  const path = resolve(file)
  if (!existsSync(path)) throw new CliError(`schema module ${path} does not exist. Check the --schema path.`)
  let mod: Record<string, unknown>
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new CliError(
        `cannot import ${path}: this Node (${process.version}) does not run TypeScript. Compile it to .js/.mjs, use Node ≥ 22.18, or run the CLI under tsx.`,
        EXIT.error,
      )
    }
    // The module's own error (a missing package, a syntax error) — its name and code, not its text.
    throw new CliError(
      `cannot import schema module ${path} (${(error as Error)?.name ?? 'Error'}${code ? ` ${code}` : ''}). Run it with node to see why.`,
      EXIT.error,
    )
  }
  // ESM default or named export; a CommonJS module's exports object arrives as `default`.
  const commonJs = mod.default as Record<string, unknown> | undefined
  const schema = [mod.default, mod.schema, commonJs?.schema].find(isStandardSchema)
  if (!schema) {
    throw new CliError(
      `schema module ${path} must export a Standard Schema object schema (zod, valibot, arktype) as default or as "schema".`,
      EXIT.error,
    )
  }
  return schema as AnySchema
}

function isStandardSchema(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && '~standard' in value
}
