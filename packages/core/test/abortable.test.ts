import { withSignal } from '@polysecret/core'
import { describe, expect, it } from 'vitest'

describe('withSignal (for SDK calls that take no AbortSignal)', () => {
  it('settles with the call when nothing aborts', async () => {
    expect(await withSignal(Promise.resolve('v'), new AbortController().signal)).toBe('v')
    await expect(withSignal(Promise.reject(new TypeError('boom')), undefined)).rejects.toThrow('boom')
  })

  it('rejects with an AbortError as soon as the signal aborts, and at once when it already has', async () => {
    const controller = new AbortController()
    const never = new Promise<string>(() => {})
    const pending = withSignal(never, controller.signal)
    controller.abort(new Error('attempt timed out'))
    const error = await pending.catch((e: Error) => e)
    expect(error).toMatchObject({ name: 'AbortError' })
    expect((error as Error).cause).toMatchObject({ message: 'attempt timed out' })
    await expect(withSignal(never, controller.signal)).rejects.toMatchObject({ name: 'AbortError' })
  })
})
