/**
 * health() against a hung store: the manager answers at its timeout and the request it started is
 * cancelled — the AWS providers pass the manager's abort signal to the SDK, so no socket is left open
 * at the fake once health() has returned.
 */
import { parameterStore, secretsManager } from '@polysecret/aws'
import { ConfigManager, type Provider } from '@polysecret/core'
import { type FakeServer, startFake } from '@polysecret/testing'
import { describe, expect, it, vi } from 'vitest'
import { FAKE_AWS } from './support/aws.js'
import { stopAfterEach } from './support/cleanup.js'

const AWS = { ...FAKE_AWS, maxAttempts: 1 } as const
const defer = stopAfterEach()

async function hungHealth(fake: FakeServer, operation: string, provider: Provider) {
  defer(() => fake.stop())
  fake.faults.hang(1, { operations: [operation] })
  const manager = new ConfigManager({ secrets: [provider], retry: { attemptTimeout: 100 } })
  defer(() => manager.close())
  // Load the SDK and open the connection first: otherwise the timeout can pass while the SDK is still
  // being imported, before any request exists to hang.
  await manager.get('WARM_UP', { kind: 'secret', optional: true })
  expect(fake.openConnections).toBe(1)
  const [health] = await manager.health()
  expect(health).toMatchObject({ provider: provider.name, ok: false })
  expect(health!.message).toMatch(/Timed out after 100 ms/)
  expect(fake.faults.injected('hang')).toBe(1)
  expect(fake.requests.byOperation()[operation]).toBe(1)
  // The client aborted: its socket closes (the hang never answers, so only the abort can close it).
  await vi.waitFor(() => expect(fake.openConnections).toBe(0), { timeout: 5_000, interval: 10 })
}

describe('health() cancels its request when the store hangs', () => {
  it('Secrets Manager (ListSecrets)', async () => {
    const fake = await startFake('aws-secrets-manager')
    await hungHealth(fake, 'ListSecrets', secretsManager({ ...AWS, endpoint: fake.endpoint, name: 'sm' }))
  })

  it('Parameter Store (GetParametersByPath)', async () => {
    const fake = await startFake('aws-ssm')
    await hungHealth(
      fake,
      'GetParametersByPath',
      parameterStore({ ...AWS, endpoint: fake.endpoint, prefix: '/app/', name: 'ssm' }),
    )
  })

  it('a provider receives the signal and sees it abort at the health timeout', async () => {
    let received: AbortSignal | undefined
    const waiting: Provider = {
      name: 'waits',
      type: 'test',
      capabilities: { list: false, write: false, delete: false, versions: false, batch: false, watch: false },
      async get() {
        return undefined
      },
      health(opts) {
        received = opts?.signal
        // Answers only when aborted, like a client that honours its signal.
        return new Promise((resolve) =>
          opts?.signal?.addEventListener('abort', () => resolve({ ok: false, message: 'aborted' })),
        )
      },
    }
    const manager = new ConfigManager({ parameters: [waiting], retry: { attemptTimeout: 20 } })
    const [health] = await manager.health()
    expect(health).toMatchObject({ provider: 'waits', ok: false })
    expect(received).toBeInstanceOf(AbortSignal)
    expect(received!.aborted).toBe(true)
  })
})
