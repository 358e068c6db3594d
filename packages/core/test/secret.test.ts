import { inspect } from 'node:util'
import { Secret } from '@polysecret/core'
import { describe, expect, expectTypeOf, it } from 'vitest'

describe('Secret', () => {
  const s = new Secret('hunter2-canary')

  it('never shows its value when printed, interpolated, serialised or inspected', () => {
    expect(String(s)).toBe('[REDACTED]')
    expect(`${s}`).toBe('[REDACTED]')
    expect(`${s}`).not.toContain('hunter2')
    expect(JSON.stringify({ s })).toBe('{"s":"[REDACTED]"}')
    expect(inspect(s)).toBe('Secret([REDACTED])')
    expect(inspect({ nested: [s] }, { showHidden: true, depth: 5 })).not.toContain('hunter2')
    expect(Object.keys(s)).toEqual([])
    expect({ ...s }).toEqual({})
    expect(`${s}`).toBe('[REDACTED]')
    expect(structuredClone({ a: 1 })).toEqual({ a: 1 })
  })

  it('reveals on request, compares in constant time, maps', () => {
    expect(s.reveal()).toBe('hunter2-canary')
    expect(s.equals('hunter2-canary')).toBe(true)
    expect(s.equals(new Secret('other'))).toBe(false)
    const upper = s.map((v) => v.toUpperCase())
    expect(upper).toBeInstanceOf(Secret)
    expect(upper.reveal()).toBe('HUNTER2-CANARY')
    expect(Secret.isSecret(s)).toBe(true)
    expect(Secret.isSecret('x')).toBe(false)
  })

  it('is typed', () => {
    expectTypeOf(s.reveal()).toEqualTypeOf<string>()
    expectTypeOf(s.map((v) => v.trim())).toEqualTypeOf<Secret>()
    expect(() => new Secret(42 as unknown as string)).toThrow(TypeError)
  })
})
