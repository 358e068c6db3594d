import { describe, expect, it } from 'vitest'
import { ConfigManager, type Entry, type Provider, READ_ONLY, Secret } from '../src/index.js'

/** A store that marks some values sensitive, as Parameter Manager does for rendered secret references. */
function markingStore(values: Record<string, Entry>): Provider {
  return {
    name: 'marking',
    type: 'test-marking',
    capabilities: READ_ONLY,
    async get(key) {
      return values[key]
    },
    async health() {
      return { ok: true }
    },
  }
}

describe('an entry its store marks sensitive', () => {
  const store = () =>
    markingStore({
      APP_CONFIG: { value: '{"conn":"plain-looking"}', sensitive: true },
      APP_HOST: { value: 'db.internal' },
    })

  it('is served as a Secret from the parameters chain, and the access event says why', async () => {
    const events: { key: string; kind?: string; warning?: string }[] = []
    const manager = new ConfigManager({
      parameters: [store()],
      cache: false,
      onAccess: (e) => events.push(e as never),
    })
    const value = await manager.get('APP_CONFIG')
    expect(value).toBeInstanceOf(Secret)
    expect(await manager.get('APP_HOST')).toBe('db.internal')
    expect(events.find((e) => e.key === 'APP_CONFIG')?.warning).toMatch(
      /store says the value holds secret material/,
    )
  })

  it('stays a parameter when the user classified the key explicitly', async () => {
    const manager = new ConfigManager({
      parameters: [store()],
      cache: false,
      classify: { overrides: { APP_CONFIG: 'parameter' } },
    })
    expect(await manager.get('APP_CONFIG')).toBe('{"conn":"plain-looking"}')
  })
})
