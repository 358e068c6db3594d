/**
 * Runs the real `polysecret` binary as a subprocess: the TypeScript entry under tsx with the `source`
 * condition (the same code the build bundles), in a clean environment. Every run's stdout and stderr
 * is kept in {@link transcript} for the leak canary.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const BIN = fileURLToPath(new URL('../../src/bin.ts', import.meta.url))
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

/** node arguments that start the CLI (for spawning it yourself, e.g. under `script`). */
export const NODE_ARGS = ['--conditions=source', '--import', TSX, BIN]

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  cwd: string
  env?: Record<string, string>
  /** Written to stdin, then stdin is closed (default: closed at once). */
  input?: string
}

/** Everything every run printed, for the leak canary. */
export const transcript: { args: readonly string[]; stdout: string; stderr: string }[] = []

/** A clean environment: no AWS/GCP/Azure settings or POLYSECRET_* from the machine leak into a run. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    LANG: 'C.UTF-8',
    METADATA_SERVER_DETECTION: 'none',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  }
}

export function runCli(args: readonly string[], options: RunOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
      cwd: options.cwd,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      transcript.push({ args, stdout, stderr })
      resolve({ code, signal, stdout, stderr })
    })
    child.stdin.end(options.input ?? '')
  })
}

/** A temp folder holding the given files (a config file, a .env …). */
export function project(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'polysecret-cli-'))
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2))
  return dir
}

/** Fake AWS credentials and region for a provider entry in a config file. */
export const AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
  maxAttempts: 1,
}

/** What a stack trace line looks like: never printed without --debug. */
export const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m

/** Timeout for tests that start the CLI as processes: a loaded CI machine takes seconds per start. */
export const SUBPROCESS_TIMEOUT = 180_000
