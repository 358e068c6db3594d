import { readFile } from 'node:fs/promises'
import { type ConfigManager, createManager, type ManagerConfig, ValidationError } from '@polysecret/core'
import { parse } from 'yaml'
import { createServer, type PolysecretServer } from './create-server.js'
import { createServerMetrics } from './metrics.js'
import { type ServerOptions, validateServerOptions } from './options.js'

export interface ServeOptions extends ServerOptions {
  /**
   * The manager's declarative config: a polysecret.config.{json,yaml} path or the config object.
   * @default the POLYSECRET_* environment variables
   */
  readonly config?: string | ManagerConfig
  /** Folder provider packages are resolved from. @default process.cwd() */
  readonly resolveFrom?: string
  /** Stop on SIGTERM/SIGINT (close the server, then the manager). @default true */
  readonly handleSignals?: boolean
}

/**
 * What `polysecret serve` runs: builds the manager from a config (with the server's metrics wired to
 * its access events), starts the server and listens. Resolves once listening.
 */
export async function serve(
  options: ServeOptions = {},
): Promise<PolysecretServer & { readonly manager: ConfigManager }> {
  const { config, resolveFrom, handleSignals = true, ...serverOptions } = options
  // The manager's events feed a metrics instance the server then reuses: a manager takes its
  // listeners at construction.
  const metrics = createServerMetrics()
  const manager = await createManager(config, {
    onAccess: metrics.accessListener,
    ...(resolveFrom ? { resolveFrom } : {}),
  })
  const server = await createServer(manager, { ...serverOptions, metrics })
  await server.listen()
  const closeServer = server.close
  let stopped: Promise<void> | undefined
  const shutdown = () =>
    (stopped ??= (async () => {
      await closeServer()
      await manager.close()
    })())
  if (handleSignals) {
    const onSignal = () => void shutdown().finally(() => process.exit(0))
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
  }
  return Object.assign(server, {
    manager,
    close: shutdown,
    [Symbol.asyncDispose]: shutdown,
  })
}

/**
 * Reads server options from a JSON or YAML file (the `server.yaml` the manifests mount): the plain-data
 * options — host, port, auth, allowWrites, rateLimit (without a store), limits, audit, rotation,
 * credentialsWarningMs. Validated like `createServer` does.
 */
export async function loadServeOptions(path: string): Promise<ServerOptions> {
  let data: unknown
  try {
    data = parse(await readFile(path, 'utf8'))
  } catch (cause) {
    throw new ValidationError(`Cannot read the server options file ${path}.`, {
      hint: 'Check the path and that it holds JSON or YAML.',
      cause,
    })
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new ValidationError(`The server options file ${path} must hold an object (host, port, auth …).`)
  validateServerOptions(data as ServerOptions)
  return data as ServerOptions
}
