import { inspect } from 'node:util'
import {
  AccessDeniedError,
  ConfigManager,
  ConfigValidationError,
  env,
  memory,
  PolysecretError,
  Secret,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import { instrument } from '@polysecret/testing'
import * as v from 'valibot'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'

const S = 'hunter2-very-secret-Q9'

function mgr(params: Record<string, string>, secrets: Record<string, string> = {}) {
  return new ConfigManager({
    secrets: [memory(secrets, { name: 'secret-store' })],
    parameters: [memory(params, { name: 'param-store' })],
  })
}

describe('contract: load with zod', () => {
  it('coerces numbers, booleans, JSON; secrets stay Secret', async () => {
    const m = mgr(
      { PORT: '8080', DEBUG: 'true', FEATURES: '["a","b"]', LIMITS: '{"max":3}', DB_HOST: 'db' },
      { DB_PASSWORD: S },
    )
    const cfg = await m.load(
      z.object({
        PORT: z.number(),
        DEBUG: z.boolean(),
        FEATURES: z.array(z.string()),
        LIMITS: z.object({ max: z.number() }),
        DB_HOST: z.string(),
        DB_PASSWORD: z.instanceof(Secret),
      }),
    )
    expect(cfg.PORT).toBe(8080)
    expect(cfg.DEBUG).toBe(true)
    expect(cfg.FEATURES).toEqual(['a', 'b'])
    expect(cfg.LIMITS).toEqual({ max: 3 })
    expect(cfg.DB_HOST).toBe('db')
    expect(cfg.DB_PASSWORD).toBeInstanceOf(Secret)
    expect(cfg.DB_PASSWORD.reveal()).toBe(S)
    expect(JSON.stringify(cfg)).not.toContain(S)
    expect(inspect(cfg)).not.toContain(S)
    expectTypeOf(cfg.PORT).toEqualTypeOf<number>()
    expectTypeOf(cfg.DB_PASSWORD).toEqualTypeOf<Secret>()
  })
  it('secret field with z.string() gets the plain string', async () => {
    const cfg = await mgr({}, { DB_PASSWORD: S }).load(z.object({ DB_PASSWORD: z.string() }))
    expect(cfg.DB_PASSWORD).toBe(S)
    expectTypeOf(cfg.DB_PASSWORD).toEqualTypeOf<string>()
  })
  it.each([
    ['TRUE', true],
    ['False', false],
    ['yes', true],
    ['NO', false],
    ['on', true],
    ['off', false],
    ['1', true],
    ['0', false],
  ])('boolean "%s" → %s', async (raw, want) => {
    const cfg = await mgr({ DEBUG: raw }).load(z.object({ DEBUG: z.boolean() }))
    expect(cfg.DEBUG).toBe(want)
  })
  it('booleans with surrounding whitespace', async () => {
    const cfg = await mgr({ DEBUG: ' true ' }).load(z.object({ DEBUG: z.boolean() }))
    expect(cfg.DEBUG).toBe(true)
  })
  it('numbers with whitespace', async () => {
    const cfg = await mgr({ PORT: ' 8080 ', RATIO: '0.5', NEG: '-3', EXP: '1e3' }).load(
      z.object({ PORT: z.number(), RATIO: z.number(), NEG: z.number(), EXP: z.number() }),
    )
    expect(cfg).toEqual({ PORT: 8080, RATIO: 0.5, NEG: -3, EXP: 1000 })
  })
  it('empty string / garbage are not numbers (no 0, no NaN)', async () => {
    const e = await mgr({ PORT: '', OTHER_PORT: 'abc', THIRD_PORT: '   ' })
      .load(z.object({ PORT: z.number(), OTHER_PORT: z.number(), THIRD_PORT: z.number() }))
      .catch((x) => x)
    expect(e).toBeInstanceOf(ConfigValidationError)
    expect(e.issues.map((i: { key: string }) => i.key).sort()).toEqual(['OTHER_PORT', 'PORT', 'THIRD_PORT'])
  })
  it('"0x10" / "Infinity" should not silently become numbers unless schema allows', async () => {
    const e = await mgr({ PORT: 'Infinity' })
      .load(z.object({ PORT: z.number().int() }))
      .catch((x) => x)
    expect(e).toBeInstanceOf(ConfigValidationError)
  })
  it('z.coerce.number works on raw strings', async () => {
    const cfg = await mgr({ PORT: '8080' }).load(z.object({ PORT: z.coerce.number() }))
    expect(cfg.PORT).toBe(8080)
  })
  it('z.coerce.boolean: "false" → (zod semantics) — at least no crash', async () => {
    const cfg = await mgr({ DEBUG: 'false' }).load(z.object({ DEBUG: z.coerce.boolean() }))
    expect(typeof cfg.DEBUG).toBe('boolean')
  })
  it('z.string() on a numeric string keeps the string', async () => {
    const cfg = await mgr({ ZIP_CODE: '01234' }).load(z.object({ ZIP_CODE: z.string() }))
    expect(cfg.ZIP_CODE).toBe('01234')
  })
  it('union number|string prefers...? stays valid', async () => {
    const cfg = await mgr({ PORT: '8080' }).load(z.object({ PORT: z.union([z.number(), z.string()]) }))
    expect(cfg.PORT === 8080 || cfg.PORT === '8080').toBe(true)
  })
  it('enums and literals', async () => {
    const cfg = await mgr({ LOG_LEVEL: 'info' }).load(z.object({ LOG_LEVEL: z.enum(['debug', 'info']) }))
    expect(cfg.LOG_LEVEL).toBe('info')
  })
  it('optional missing fields and defaults', async () => {
    const cfg = await mgr({ A_HOST: 'a' }).load(
      z.object({
        A_HOST: z.string(),
        B_HOST: z.string().optional(),
        PORT: z.number().default(3000),
        DEBUG: z.boolean().default(false),
        API_TOKEN: z.instanceof(Secret).optional(),
      }),
    )
    expect(cfg.A_HOST).toBe('a')
    expect(cfg.B_HOST).toBeUndefined()
    expect(cfg.PORT).toBe(3000)
    expect(cfg.DEBUG).toBe(false)
    expect(cfg.API_TOKEN).toBeUndefined()
  })
  it('nested object field from JSON', async () => {
    const cfg = await mgr({ DB: '{"host":"h","port":5432,"ssl":true}' }).load(
      z.object({ DB: z.object({ host: z.string(), port: z.number(), ssl: z.boolean() }) }),
    )
    expect(cfg.DB).toEqual({ host: 'h', port: 5432, ssl: true })
  })
  it('nested object that expects numbers inside JSON strings is reported with a path', async () => {
    const e = await mgr({ DB: '{"host":"h","port":"x"}' })
      .load(z.object({ DB: z.object({ host: z.string(), port: z.number() }) }))
      .catch((x) => x)
    expect(e).toBeInstanceOf(ConfigValidationError)
    expect(e.issues[0].key).toBe('DB')
    expect(e.issues[0].path).toEqual(expect.arrayContaining(['DB']))
  })
  it('malformed JSON for an object field → one clear issue', async () => {
    const e = await mgr({ LIMITS: '{"max":' })
      .load(z.object({ LIMITS: z.object({ max: z.number() }) }))
      .catch((x) => x)
    expect(e).toBeInstanceOf(ConfigValidationError)
    expect(e.issues).toHaveLength(1)
    expect(e.issues[0].key).toBe('LIMITS')
  })
  it('every problem at once: missing, bad type, access denied, unavailable — with provider, never values', async () => {
    const denied = instrument(memory({ API_TOKEN: S }, { name: 'denied' }), {
      fault: ({ key }) =>
        key === 'API_TOKEN' ? new AccessDeniedError({ provider: 'denied', key }) : undefined,
    })
    const m = new ConfigManager({
      secrets: [denied.provider],
      parameters: [memory({ PORT: 'eighty', GREETING_TEXT: S }, { name: 'param-store' })],
      retry: false,
    })
    const e = await m
      .load(
        z.object({
          PORT: z.number(),
          MISSING_URL: z.string(),
          API_TOKEN: z.instanceof(Secret),
          GREETING_TEXT: z.string(),
        }),
      )
      .catch((x) => x)
    expect(e).toBeInstanceOf(ConfigValidationError)
    expect(e).toBeInstanceOf(PolysecretError)
    const keys = e.issues.map((i: { key: string }) => i.key).sort()
    expect(keys).toEqual(['API_TOKEN', 'MISSING_URL', 'PORT'])
    const port = e.issues.find((i: { key: string }) => i.key === 'PORT')
    expect(port.provider).toBe('param-store')
    expect(e.message).toContain('PORT')
    expect(e.message).toContain('MISSING_URL')
    expect(e.message).toContain('API_TOKEN')
    expect(e.message).not.toContain('eighty')
    expect(inspect(e, { showHidden: true, depth: 10 })).not.toContain(S)
  })
  it('issue messages never include a parameter value either', async () => {
    const e = await mgr({ PORT: 'my-odd-port-value' })
      .load(z.object({ PORT: z.number() }))
      .catch((x) => x)
    expect(e).toBeInstanceOf(ConfigValidationError)
    expect(e.message).not.toContain('my-odd-port-value')
    expect(JSON.stringify(e.issues)).not.toContain('my-odd-port-value')
  })
  it('refine messages that embed the secret are scrubbed', async () => {
    const e = await mgr({}, { DB_PASSWORD: S })
      .load(
        z.object({
          DB_PASSWORD: z
            .string()
            .refine((s) => s.length > 100, { error: (iss) => `password ${String(iss.input)} too short` }),
        }),
      )
      .catch((x) => x)
    expect(e).toBeInstanceOf(ConfigValidationError)
    expect(e.message).not.toContain(S)
    expect(inspect(e, { showHidden: true, depth: 10 })).not.toContain(S)
    expect(JSON.stringify(e.issues)).not.toContain(S)
  })
  it('refine message embedding part of a secret / a secret nested in JSON', async () => {
    const secretJson = JSON.stringify({ user: 'app', pass: S })
    const e = await mgr({}, { DB_CREDENTIALS: secretJson })
      .load(
        z.object({
          DB_CREDENTIALS: z
            .object({ user: z.string(), pass: z.string() })
            .refine((o) => o.pass.length > 100, { error: (iss) => `bad creds ${JSON.stringify(iss.input)}` }),
        }),
      )
      .catch((x) => x)
    expect(e).toBeInstanceOf(ConfigValidationError)
    expect(inspect(e, { showHidden: true, depth: 10 })).not.toContain(S)
  })
  it('superRefine across keys mentioning a secret (message uses the value of another key)', async () => {
    const e = await mgr({ DB_USER: 'u' }, { DB_PASSWORD: S })
      .load(
        z
          .object({ DB_USER: z.string(), DB_PASSWORD: z.string() })
          .superRefine((o, ctx) =>
            ctx.addIssue({ code: 'custom', message: `user u with ${o.DB_PASSWORD}`, path: ['DB_USER'] }),
          ),
      )
      .catch((x) => x)
    expect(e).toBeInstanceOf(ConfigValidationError)
    expect(inspect(e, { showHidden: true, depth: 10 })).not.toContain(S)
  })
  it('secret read as a boolean/number: the issue never shows the value', async () => {
    const e = await mgr({}, { API_TOKEN: S })
      .load(z.object({ API_TOKEN: z.number() }))
      .catch((x) => x)
    expect(e).toBeInstanceOf(ConfigValidationError)
    expect(inspect(e, { showHidden: true, depth: 10 })).not.toContain(S)
  })
  it('non-object schema → ValidationError, manager keeps working', async () => {
    const m = mgr({ A_HOST: 'a' })
    await expect(m.load(z.string() as never)).rejects.toBeInstanceOf(ValidationError)
    await expect(m.load(z.array(z.string()) as never)).rejects.toBeInstanceOf(ValidationError)
    await expect(m.load({} as never)).rejects.toBeInstanceOf(ValidationError)
    await expect(m.load(null as never)).rejects.toBeInstanceOf(ValidationError)
    await expect(m.load(undefined as never)).rejects.toBeInstanceOf(ValidationError)
    await expect(m.load(v.string() as never)).rejects.toBeInstanceOf(ValidationError)
    expect(await m.get('A_HOST')).toBe('a')
  })
  it('wrapped object schemas (z.object(...).strict(), .passthrough(), .transform? ) load', async () => {
    const m = mgr({ A_HOST: 'a', PORT: '1' })
    expect(await m.load(z.strictObject({ A_HOST: z.string() }))).toEqual({ A_HOST: 'a' })
    expect(await m.load(z.looseObject({ A_HOST: z.string() }))).toEqual({ A_HOST: 'a' })
    expect(await m.load(z.object({ A_HOST: z.string(), PORT: z.number() }).partial())).toEqual({
      A_HOST: 'a',
      PORT: 1,
    })
  })
  it('object schema with a transform on top loads its keys and returns the transformed value', async () => {
    const m = mgr({ A_HOST: 'a', PORT: '1' })
    const schema = z
      .object({ A_HOST: z.string(), PORT: z.number() })
      .transform((o) => ({ url: `${o.A_HOST}:${o.PORT}` }))
    expect(await m.load(schema as never)).toEqual({ url: 'a:1' })
  })
  it('keys named __proto__ / constructor in a schema', async () => {
    const m = new ConfigManager({ parameters: [memory({ ['__proto__']: 'p', constructor: 'c' })] })
    const cfg = await m.load(z.object({ constructor: z.string() }))
    expect(cfg.constructor).toBe('c')
  })
  it('reads in parallel through the cache (second load = 0 calls)', async () => {
    const st = instrument(memory({ A_HOST: 'a', B_HOST: 'b' }), { latency: 20 })
    const m = new ConfigManager({ parameters: [st.provider] })
    await m.load(z.object({ A_HOST: z.string(), B_HOST: z.string() }))
    expect(st.calls.getMany).toBe(1) // one native batch for the chain
    expect(st.calls.get).toBe(0)
    st.resetCounts()
    await m.load(z.object({ A_HOST: z.string(), B_HOST: z.string() }))
    expect(st.calls.get + st.calls.getMany).toBe(0)
  })
  it('routes each key by classification', async () => {
    const m = new ConfigManager({
      secrets: [memory({ API_KEY: S, DB_HOST: 'wrong' }, { name: 's' })],
      parameters: [memory({ API_KEY: 'wrong', DB_HOST: 'right' }, { name: 'p' })],
    })
    const cfg = await m.load(z.object({ API_KEY: z.instanceof(Secret), DB_HOST: z.string() }))
    expect(cfg.API_KEY.reveal()).toBe(S)
    expect(cfg.DB_HOST).toBe('right')
  })
  it('manager classify overrides apply to load', async () => {
    const m = new ConfigManager({
      secrets: [memory({ DB_HOST: 'sekret' }, { name: 's' })],
      parameters: [memory({}, { name: 'p' })],
      classify: { overrides: { DB_HOST: 'secret' } },
    })
    const cfg = await m.load(z.object({ DB_HOST: z.instanceof(Secret) }))
    expect(cfg.DB_HOST.reveal()).toBe('sekret')
  })
  it('env provider + zod end-to-end', async () => {
    const m = new ConfigManager({
      secrets: [env({ env: { DB_PASSWORD: S } })],
      parameters: [env({ env: { PORT: '80' } })],
    })
    const cfg = await m.load(z.object({ PORT: z.number(), DB_PASSWORD: z.instanceof(Secret) }))
    expect(cfg.PORT).toBe(80)
  })
  it('unavailable store during load is reported as an issue with provider and reason', async () => {
    const st = instrument(memory({ A_HOST: 'a' }, { name: 'down' }), {
      fault: () => new UnavailableError({ provider: 'down' }),
    })
    const m = new ConfigManager({ parameters: [st.provider], retry: false })
    const e = await m.load(z.object({ A_HOST: z.string() })).catch((x) => x)
    expect(e).toBeInstanceOf(ConfigValidationError)
    expect(e.issues[0].key).toBe('A_HOST')
    expect(e.message).toContain('down')
  })
})

describe('contract: load with valibot', () => {
  it('coerces and keeps secrets', async () => {
    const m = mgr({ PORT: '8080', DEBUG: 'off', TAGS: '["x"]' }, { DB_PASSWORD: S })
    const cfg = await m.load(
      v.object({
        PORT: v.number(),
        DEBUG: v.boolean(),
        TAGS: v.array(v.string()),
        DB_PASSWORD: v.instance(Secret),
        OPT_HOST: v.optional(v.string(), 'dflt'),
      }),
    )
    expect(cfg.PORT).toBe(8080)
    expect(cfg.DEBUG).toBe(false)
    expect(cfg.TAGS).toEqual(['x'])
    expect(cfg.DB_PASSWORD.reveal()).toBe(S)
    expect(cfg.OPT_HOST).toBe('dflt')
    expectTypeOf(cfg.PORT).toEqualTypeOf<number>()
  })
  it('valibot issues reported all at once, secrets scrubbed from custom messages', async () => {
    const m = mgr({ PORT: 'x' }, { DB_PASSWORD: S })
    const e = await m
      .load(
        v.object({
          PORT: v.number(),
          DB_PASSWORD: v.pipe(
            v.string(),
            v.check(
              (s) => s.length > 99,
              (iss) => `pw ${String(iss.input)} weak`,
            ),
          ),
          MISSING_HOST: v.string(),
        }),
      )
      .catch((x) => x)
    expect(e).toBeInstanceOf(ConfigValidationError)
    expect(e.issues.map((i: { key: string }) => i.key).sort()).toEqual([
      'DB_PASSWORD',
      'MISSING_HOST',
      'PORT',
    ])
    expect(inspect(e, { showHidden: true, depth: 10 })).not.toContain(S)
  })
  it('valibot strictObject / looseObject', async () => {
    const m = mgr({ A_HOST: 'a' })
    expect(await m.load(v.strictObject({ A_HOST: v.string() }))).toEqual({ A_HOST: 'a' })
    expect(await m.load(v.looseObject({ A_HOST: v.string() }))).toEqual({ A_HOST: 'a' })
  })
})

describe('contract: arktype-shaped / hand-written Standard Schema', () => {
  it('a minimal Standard Schema object schema that exposes its keys via JSON-schema-ish shape loads', async () => {
    // arktype exposes `.json` / `.props`; we can't install it. Use a hand-rolled standard schema with `shape`.
    const schema = {
      shape: { A_HOST: {}, PORT: {} },
      '~standard': {
        version: 1 as const,
        vendor: 'hand',
        validate: (input: unknown) => {
          const o = input as Record<string, unknown>
          if (typeof o.A_HOST !== 'string')
            return { issues: [{ message: 'A_HOST must be string', path: ['A_HOST'] }] }
          return { value: o as { A_HOST: string; PORT: unknown } }
        },
      },
    }
    const m = mgr({ A_HOST: 'a', PORT: '1' })
    // The keys come from `shape`; the values are the stored strings (no coercion without a known type).
    expect(await m.load(schema as never)).toEqual({ A_HOST: 'a', PORT: '1' })
    const missing = await m.load({ ...schema, shape: { B_HOST: {} } } as never).catch((e) => e)
    expect(missing).toBeInstanceOf(ConfigValidationError)
  })
})
