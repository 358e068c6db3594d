/**
 * Runs the child of `polysecret run` the way `doppler run`, `op run` and `dotenvx run` do: stdio
 * inherited, signals the CLI receives passed on to it, and its exit status passed back — a death by
 * signal n becomes 128 + n, as a shell reports it.
 */
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { CliError, EXIT } from './exit-codes.js'

/** Signals forwarded to the child. SIGKILL/SIGSTOP cannot be caught; the child is then orphaned to init. */
const FORWARDED: readonly NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
]

export function runChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    // Listening starts before the child does: a signal that arrives while this process is
    // descheduled right after the spawn (a busy machine) is still delivered to the listener, which
    // runs once `child` is set — never to node's default handler, which would orphan the child.
    let child: ReturnType<typeof spawn> | undefined
    const forward = (signal: NodeJS.Signals) => {
      // The child may already be gone; its exit arrives through 'exit' below.
      if (child && child.exitCode === null && child.signalCode === null) child.kill(signal)
    }
    for (const signal of FORWARDED) process.on(signal, forward)
    child = spawn(command, args, { stdio: 'inherit', env })
    const cleanup = () => {
      for (const signal of FORWARDED) process.off(signal, forward)
    }
    child.once('error', (error: NodeJS.ErrnoException) => {
      cleanup()
      if (error.code === 'ENOENT')
        reject(new CliError(`command not found: ${command}. Check the name and PATH.`, 127))
      else if (error.code === 'EACCES') reject(new CliError(`command not executable: ${command}.`, 126))
      else reject(new CliError(`cannot start ${command} (${error.code ?? error.name}).`, EXIT.error))
    })
    child.once('exit', (code, signal) => {
      cleanup()
      resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? EXIT.error))
    })
  })
}
