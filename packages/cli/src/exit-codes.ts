/**
 * Exit codes, documented in docs/cli/README.md. Scripts branch on these, so they never change meaning.
 */
export const EXIT = {
  ok: 0,
  /** Anything else: a store that is down, access denied, a bad config file … */
  error: 1,
  /** The command line itself is wrong: unknown command or flag, a missing or refused argument. */
  usage: 2,
  /** The key (or version) does not exist. */
  notFound: 3,
  /** A schema found problems (`validate`, `run --schema`) or required keys are missing (`run --only`). */
  validation: 4,
  /** A write lost an optimistic-concurrency race, or would overwrite what it must not. */
  conflict: 5,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/**
 * A mistake on the command line (exit 2), or a failure with a chosen exit code. Its message is shown
 * as the one error line; it never carries a value.
 */
export class CliError extends Error {
  /** One of {@link EXIT}, or a shell's own code (126/127) when `run` cannot start its command. */
  readonly exitCode: number
  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}
