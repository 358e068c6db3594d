import { createHmac } from 'node:crypto'
import { format, inspect } from 'node:util'
import { ConfigManager, memory, Secret } from '@polysecret/core'
import { describe, expect, it } from 'vitest'

/**
 * A Secret used to be array-like (it had `length`), so `Buffer.from(secret)` gave `length` zero bytes
 * and an HMAC keyed with it was keyed with zeros. Every byte conversion must now fail loudly.
 */
describe('a Secret read through the manager is not bytes', () => {
  async function readSecret(): Promise<Secret> {
    const manager = new ConfigManager({ secrets: [memory({ WEBHOOK_SECRET: 'whsec-canary-value' })] })
    const value = await manager.get('WEBHOOK_SECRET')
    expect(value).toBeInstanceOf(Secret)
    return value as Secret
  }

  const revealHint = /Call secret\.reveal\(\) at the point of use/

  it('Buffer.from(secret) throws a TypeError pointing to reveal()', async () => {
    const secret = await readSecret()
    expect(() => Buffer.from(secret as never)).toThrow(TypeError)
    expect(() => Buffer.from(secret as never)).toThrow(revealHint)
    expect(() => Buffer.from(secret as never, 'utf8')).toThrow(revealHint)
  })

  it('new Uint8Array(secret), Uint8Array.from, Array.from and spreading throw pointing to reveal()', async () => {
    const secret = await readSecret()
    expect(() => new Uint8Array(secret as never)).toThrow(revealHint)
    expect(() => Uint8Array.from(secret as never)).toThrow(revealHint)
    expect(() => Array.from(secret as never)).toThrow(revealHint)
    expect(() => [...(secret as never as Iterable<unknown>)]).toThrow(revealHint)
    expect(() => secret.valueOf()).toThrow(revealHint)
  })

  it('crypto.createHmac refuses a Secret as key instead of keying with zeros', async () => {
    const secret = await readSecret()
    expect(() => createHmac('sha256', secret as never)).toThrow(TypeError)
    // What the user should write instead works, and differs from a zero key of the same length.
    const right = createHmac('sha256', secret.reveal()).update('body').digest('hex')
    const zeros = createHmac('sha256', Buffer.alloc(secret.reveal().length)).update('body').digest('hex')
    expect(right).not.toBe(zeros)
  })

  it('has no length, so nothing treats it as array-like', async () => {
    const secret = await readSecret()
    expect('length' in secret).toBe(false)
    expect((secret as unknown as { length?: unknown }).length).toBeUndefined()
    expect(secret.reveal().length).toBe('whsec-canary-value'.length)
  })

  it('still prints masked everywhere', async () => {
    const secret = await readSecret()
    expect(String(secret)).toBe('[REDACTED]')
    expect(`${secret}`).toBe('[REDACTED]')
    expect(`x${secret}`).toBe('x[REDACTED]')
    expect(JSON.stringify({ secret })).toBe('{"secret":"[REDACTED]"}')
    expect(inspect(secret)).toBe('Secret([REDACTED])')
    expect(format('%s %o %O', secret, secret, { secret })).not.toContain('canary')
    expect(inspect({ secret }, { showHidden: true, depth: 5 })).not.toContain('canary')
  })
})
