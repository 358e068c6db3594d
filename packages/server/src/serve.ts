import { type ConfigManager, createManager, type ManagerConfig } from '@polysecret/core'
import { createServer, type PolysecretServer } from './create-server.js'
import { createServerMetrics } from './metrics.js'
import type { ServerOptions } from './options.js'

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
  const shutdown = async () => {
    await server.close()
    await manager.close()
  }
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
