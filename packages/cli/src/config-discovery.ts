/**
 * Finds the configuration the way a service does: `--config FILE`, else `POLYSECRET_CONFIG`, else the
 * nearest `polysecret.config.{json,yaml,yml}` from the working directory up to the file system root,
 * else the `POLYSECRET_*` variables (core's `configFromEnv`). With none of these there is nothing to
 * talk to, and the CLI says so instead of silently reading only the environment.
 */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { configFromEnv, type ManagerConfig, readConfigFile } from '@polysecret/core'
import { CliError, EXIT } from './exit-codes.js'

export const CONFIG_FILE_NAMES = ['polysecret.config.json', 'polysecret.config.yaml', 'polysecret.config.yml']

/** Where a configuration came from, for `doctor` and error messages. */
export interface FoundConfig {
  readonly config: ManagerConfig
  /** The file read, or `environment` for POLYSECRET_* variables. */
  readonly source: string
}

/** The nearest config file from `start` upwards, or undefined. */
export function findConfigFile(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name)
      if (existsSync(candidate)) return candidate
    }
    if (dirname(dir) === dir) return undefined
  }
}

/** Variables that describe a manager without a file (see core's configFromEnv). */
const ENV_CONFIG_VARIABLES = [
  'POLYSECRET_PASSPHRASE',
  'POLYSECRET_KEY',
  'POLYSECRET_FILE',
  'POLYSECRET_ENV_FILE',
  'POLYSECRET_ENV_PREFIX',
]

export async function discoverConfig(
  explicit: string | undefined,
  environment: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<FoundConfig> {
  const named = explicit ?? environment.POLYSECRET_CONFIG
  if (named !== undefined) {
    const path = resolve(cwd, named)
    if (!existsSync(path)) {
      const via = explicit !== undefined ? '--config' : 'POLYSECRET_CONFIG'
      throw new CliError(`Config file ${path} (from ${via}) does not exist. Check the path.`, EXIT.error)
    }
    return { config: await readConfigFile(path), source: path }
  }
  const found = findConfigFile(cwd)
  if (found) return { config: await readConfigFile(found), source: found }
  if (ENV_CONFIG_VARIABLES.some((name) => environment[name] !== undefined)) {
    return { config: await configFromEnv(environment), source: 'environment' }
  }
  throw new MissingConfigError(
    `No configuration found: no ${CONFIG_FILE_NAMES.join(' / ')} in ${resolve(cwd)} or above. ` +
      'Create one (see docs/cli/README.md), pass --config FILE, or set POLYSECRET_CONFIG.',
  )
}

/** No config file and no POLYSECRET_* variables: nothing says which stores to use. */
export class MissingConfigError extends CliError {
  constructor(message: string) {
    super(message, EXIT.error)
  }
}
