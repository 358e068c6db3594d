import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { CliError } from '../exit-codes.js'

function parsePort(text: string): number {
  const port = Number(text)
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new CliError(`--port must be 0–65535, got "${text}".`, 2)
  return port
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the HTTP sidecar over the configured stores (loopback unless auth is configured)')
    .option('--server-config <file>', 'server options (host, port, auth, audit, rotation …), YAML or JSON')
    .option('--host <host>', 'address to listen on (anything but loopback needs auth)')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort)
    .addHelpText(
      'after',
      '\nExamples:\n  polysecret serve\n  polysecret serve --server-config server.yaml --port 7373\nSee docs/server.md.',
    )
    .action(async (opts: { serverConfig?: string; host?: string; port?: number }) => {
      // The server package loads only for this command, so the rest of the CLI starts without it.
      const { createServer, loadServeOptions } = await import('@polysecret/server')
      const fromFile = opts.serverConfig ? await loadServeOptions(opts.serverConfig) : {}
      const manager = await ctx.manager()
      // The server's /metrics read manager.stats(); the manager is the CLI's, closed when the command ends.
      const server = await createServer(manager, {
        ...fromFile,
        ...(opts.host !== undefined && { host: opts.host }),
        ...(opts.port !== undefined && { port: opts.port }),
      })
      await server.listen()
      ctx.io.err(`polysecret server listening on ${server.url}`)
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await server.close()
    })
}
