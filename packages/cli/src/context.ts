/**
 * What every command gets: the global options, output, the manager (built on first use from the
 * discovered configuration) and the call counter. Commands never read process.argv or build managers
 * themselves, so a new command is one file.
 */
import { fileURLToPath } from 'node:url'
import type { ConfigManager, ManagerConfig } from '@polysecret/core'
import { CallStats } from './call-stats.js'
import { type Io, processIo } from './output.js'
import { type Progress, startProgress } from './progress.js'

export interface GlobalOptions {
  config?: string
  json?: boolean
  reveal?: boolean
  debug?: boolean
  quiet?: boolean
  stats?: boolean
}

export interface ManagerRequest {
  /**
   * The command writes (set, delete, rotate, import, migrate …). Running such a command is the
   * operator's explicit intent, so writes are enabled for it whatever `allowWrites` says in the file,
   * which is the switch for services.
   */
  writes?: boolean
}

/** The folder of this package, where its own copies of the provider packages are installed. */
const CLI_PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))

export class CliContext {
  readonly stats = new CallStats()
  /** The exit code of a command that finished without throwing (a child's code, for `run`). */
  exitCode = 0
  #options: GlobalOptions = {}
  #manager: Promise<ConfigManager> | undefined
  #source: string | undefined

  constructor(readonly io: Io = processIo) {}

  get options(): GlobalOptions {
    return this.#options
  }

  setOptions(options: GlobalOptions): void {
    this.#options = { ...options }
  }

  /** The config file read (or `environment`), once the manager was built. */
  get configSource(): string | undefined {
    return this.#source
  }

  /** The manager of the discovered configuration (built once, closed by {@link close}). */
  manager(request: ManagerRequest = {}): Promise<ConfigManager> {
    this.#manager ??= this.#build(request)
    return this.#manager
  }

  async #build(request: ManagerRequest): Promise<ConfigManager> {
    const { discoverConfig } = await import('./config-discovery.js')
    const found = await discoverConfig(this.#options.config)
    this.#source = found.source
    const config: ManagerConfig = request.writes ? { ...found.config, allowWrites: true } : found.config
    return await this.stats.instrument(await createFromApp(config), config)
  }

  /** Draws a progress bar on stderr when it is a terminal and the output is for a person. */
  progress(total: number, label: string): Promise<Progress> {
    const enabled = process.stderr.isTTY === true && !this.#options.quiet && !this.#options.json
    return startProgress(total, label, enabled)
  }

  /** A note for the person at the terminal (stderr; silenced by --quiet). */
  note(text: string): void {
    if (!this.#options.quiet) this.io.err(text)
  }

  async close(): Promise<void> {
    const pending = this.#manager
    this.#manager = undefined
    if (pending) await (await pending.catch(() => undefined))?.close()
  }
}

/**
 * createManager resolves provider packages from the working directory (the app the operator stands
 * in, so the CLI uses the same versions as the service) and the folder of the script that started
 * the process. A global install starts from a symlink in a bin folder, so when neither has the
 * package, the CLI's own installed copy is used.
 */
async function createFromApp(config: ManagerConfig): Promise<ConfigManager> {
  const { createManager } = await import('@polysecret/core')
  return fromAppOrCli((resolveFrom) => createManager(config, { resolveFrom }))
}

/**
 * Runs `fn` with packages resolved from the app in the working directory, and again from the CLI's
 * own install when the app does not have the package (provider packages, sync targets).
 */
export async function fromAppOrCli<T>(fn: (resolveFrom: string) => Promise<T>): Promise<T> {
  try {
    return await fn(process.cwd())
  } catch (error) {
    if (!(error instanceof Error) || !/is not installed in the application|not installed/.test(error.message))
      throw error
    return await fn(CLI_PACKAGE_DIR)
  }
}
