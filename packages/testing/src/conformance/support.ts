import {
  type Capabilities,
  ConfigManager,
  entryText,
  type Provider,
  UnsupportedError,
} from '@polysecret/core'
import { expect } from 'vitest'

/** Names of the conformance cases. */
export type ConformanceCase =
  | 'shape'
  | 'read'
  | 'not-found'
  | 'inspect'
  | 'health'
  | 'list'
  | 'batch'
  | 'write'
  | 'create-only'
  | 'if-version'
  | 'delete'
  | 'versions'
  | 'rollback'
  | 'tags'
  | 'watch'
  | 'manager'

/** What every case gets: the keys to use, the provider's capabilities, and fresh seeded providers. */
export interface CaseContext {
  readonly keys: readonly [string, string, string]
  readonly prefix: string
  readonly capabilities: Capabilities
  fresh(seed: Record<string, string>): Promise<Provider>
}

/** A note on what a case could not check (shown with the test's result). */
export type Note = (text: string) => Promise<unknown>

/** One registered case: its id, the title that says what it checks, and the check. */
export interface Case {
  readonly id: ConformanceCase
  readonly title: string
  readonly body: (note: Note) => Promise<void>
}

/** A manager with the provider in both chains, writes on. */
export function managerOf(p: Provider): ConfigManager {
  return new ConfigManager({ secrets: [p], parameters: [p], allowWrites: true })
}

export async function textOf(p: Provider, key: string): Promise<string | undefined> {
  const entry = await p.get(key)
  return entry === undefined ? undefined : entryText(entry.value)
}

/** The manager's answer to an operation the provider cannot make: one UnsupportedError naming it. */
export async function expectRefusal(attempt: Promise<unknown>, capability: string): Promise<void> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `the manager refuses: ${capability} is not declared`).toBeInstanceOf(UnsupportedError)
  expect((error as UnsupportedError).capability).toBe(capability)
}
