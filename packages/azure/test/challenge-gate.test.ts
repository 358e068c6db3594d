import { startFake } from '@polysecret/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { kvFor } from './support.js'

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

async function vaultWith(count: number) {
  const secrets = Object.fromEntries(Array.from({ length: count }, (_, i) => [`s-${i}`, `v-${i}`]))
  const fake = await startFake('azure-key-vault', { secrets })
  stops.push(() => fake.stop())
  return fake
}

describe('Key Vault challenge gate (one challenge per client)', () => {
  it('parallel reads on a fresh client make one challenge, then all read with the token', async () => {
    const fake = await vaultWith(10)
    const kv = kvFor(fake, { keyMapping: 'identity' })
    stops.push(() => kv.close())
    const entries = await Promise.all(Array.from({ length: 10 }, (_, i) => kv.get(`s-${i}`)))
    expect(entries.map((e) => e?.value)).toEqual(Array.from({ length: 10 }, (_, i) => `v-${i}`))
    expect(fake.requests.count('Challenge')).toBe(1)
    expect(fake.requests.count('GetSecret')).toBe(10)
  })

  it('a failed first request (secret missing) still lets the waiting reads through, authenticated', async () => {
    const fake = await vaultWith(3)
    const kv = kvFor(fake, { keyMapping: 'identity' })
    stops.push(() => kv.close())
    const [missing, ...found] = await Promise.all(['nope', 's-0', 's-1', 's-2'].map((k) => kv.get(k)))
    expect(missing).toBeUndefined()
    expect(found.map((e) => e?.value)).toEqual(['v-0', 'v-1', 'v-2'])
    expect(fake.requests.count('Challenge')).toBe(1)
  })

  it('a credential that fails opens the gate: every waiting read fails on its own, none hangs', async () => {
    const fake = await vaultWith(3)
    const kv = kvFor(fake, {
      keyMapping: 'identity',
      credential: { getToken: async () => Promise.reject(new Error('no token here')) },
    })
    stops.push(() => kv.close())
    const results = await Promise.allSettled(['s-0', 's-1', 's-2'].map((k) => kv.get(k)))
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
  })
})
