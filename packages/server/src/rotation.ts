import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { ConfigManager, PolysecretError, Watcher } from '@polysecret/core'
import { ValidationError } from '@polysecret/core'

/**
 * The rotation signal: when a watched key's version changes, tell the app — send it a signal (SIGHUP
 * by convention: reload your config), call a webhook, or run a command. Only the key and the versions
 * travel (webhook body, command environment); the app reads the new value itself.
 */

export type RotationAction =
  /** Send `signal` to a process: a pid, or a pid file re-read on every change (the app may restart). */
  | { readonly signal?: NodeJS.Signals; readonly pid: number }
  | { readonly signal?: NodeJS.Signals; readonly pidFile: string }
  /** POST `{ key, previousVersion, newVersion, changedAt }` as JSON to a URL. */
  | { readonly webhook: string; readonly headers?: Readonly<Record<string, string>> }
  /** Run a command (no shell): `POLYSECRET_KEY`, `POLYSECRET_PREVIOUS_VERSION`, `POLYSECRET_VERSION` in its environment. */
  | { readonly command: readonly [string, ...string[]] }

export interface RotationRule {
  /** Keys to watch, or one string: every key under that prefix. */
  readonly keys: string | readonly string[]
  readonly action: RotationAction
  /** Poll interval for stores that do not push changes. @default 30_000 */
  readonly interval?: number
}

/** What happened to one action, for the audit log. */
export interface RotationOutcome {
  readonly key: string
  readonly action: 'signal' | 'webhook' | 'command'
  readonly ok: boolean
  readonly error?: string
}

export function rotationIssues(rules: unknown): string[] {
  if (!Array.isArray(rules)) return ['rotation must be an array of { keys, action }']
  const issues: string[] = []
  for (const [i, r] of (rules as (Partial<RotationRule> | null)[]).entries()) {
    const at = `rotation[${i}]`
    if (typeof r !== 'object' || r === null) {
      issues.push(`${at} must be { keys, action }`)
      continue
    }
    const keysOk =
      (typeof r.keys === 'string' && r.keys !== '') ||
      (Array.isArray(r.keys) && r.keys.length > 0 && r.keys.every((k) => typeof k === 'string' && k !== ''))
    if (!keysOk) issues.push(`${at}.keys must be a prefix or a non-empty array of keys`)
    const a = r.action as Record<string, unknown> | undefined
    if (typeof a !== 'object' || a === null) {
      issues.push(`${at}.action is missing`)
      continue
    }
    const kinds = ['pid', 'pidFile', 'webhook', 'command'].filter((k) => k in a)
    if (kinds.length !== 1) issues.push(`${at}.action needs exactly one of pid, pidFile, webhook, command`)
    if ('pid' in a && !(Number.isInteger(a.pid) && (a.pid as number) > 0))
      issues.push(`${at}.action.pid must be a process id`)
    if ('webhook' in a) {
      try {
        const u = new URL(String(a.webhook))
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error()
      } catch {
        issues.push(`${at}.action.webhook must be an http(s) URL`)
      }
    }
    if (
      'command' in a &&
      !(Array.isArray(a.command) && a.command.length > 0 && a.command.every((c) => typeof c === 'string'))
    )
      issues.push(`${at}.action.command must be an array: [program, ...args]`)
    if (r.interval !== undefined && !(Number.isInteger(r.interval) && r.interval > 0))
      issues.push(`${at}.interval must be a positive whole number of ms`)
  }
  return issues
}

/** Starts one watcher per rule; `close()` stops them. */
export async function startRotation(
  manager: ConfigManager,
  rules: readonly RotationRule[],
  report: (outcome: RotationOutcome) => void,
  onError: (error: PolysecretError) => void,
): Promise<{ close(): void }> {
  const watchers: Watcher[] = []
  try {
    for (const rule of rules) {
      const watcher = await manager.watch(
        rule.keys,
        (key, previousVersion, newVersion) => {
          void fire(rule.action, { key, previousVersion, newVersion }).then(report)
        },
        { ...(rule.interval !== undefined ? { interval: rule.interval } : {}), onError },
      )
      watchers.push(watcher)
    }
  } catch (error) {
    for (const w of watchers) w.close()
    throw error
  }
  return {
    close() {
      for (const w of watchers) w.close()
    },
  }
}

interface Change {
  readonly key: string
  readonly previousVersion: string | undefined
  readonly newVersion: string | undefined
}

async function fire(action: RotationAction, change: Change): Promise<RotationOutcome> {
  const kind = 'webhook' in action ? 'webhook' : 'command' in action ? 'command' : 'signal'
  try {
    if ('webhook' in action) await callWebhook(action.webhook, action.headers, change)
    else if ('command' in action) await runCommand(action.command, change)
    else process.kill('pid' in action ? action.pid : readPid(action.pidFile), action.signal ?? 'SIGHUP')
    return { key: change.key, action: kind, ok: true }
  } catch (error) {
    return {
      key: change.key,
      action: kind,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    }
  }
}

function readPid(file: string): number {
  const pid = Number(readFileSync(file, 'utf8').trim())
  if (!Number.isInteger(pid) || pid <= 0)
    throw new ValidationError(`The pid file ${file} holds no process id.`)
  return pid
}

async function callWebhook(
  url: string,
  headers: Readonly<Record<string, string>> | undefined,
  change: Change,
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ...change, changedAt: new Date().toISOString() }),
    signal: AbortSignal.timeout(10_000),
  })
  await res.body?.cancel()
  if (!res.ok) throw new Error(`webhook answered ${res.status}`)
}

function runCommand(command: readonly [string, ...string[]], change: Change): Promise<void> {
  const [program, ...args] = command
  return new Promise((resolve, reject) => {
    execFile(
      program,
      args,
      {
        timeout: 60_000,
        env: {
          ...process.env,
          POLYSECRET_KEY: change.key,
          POLYSECRET_PREVIOUS_VERSION: change.previousVersion ?? '',
          POLYSECRET_VERSION: change.newVersion ?? '',
        },
      },
      // The command's output is not kept: it could print anything, values included.
      (error) =>
        error
          ? reject(new Error(`command exited with ${error.code ?? error.signal ?? 'an error'}`))
          : resolve(),
    )
  })
}
