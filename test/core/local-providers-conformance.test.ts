/** Every local provider through the shared conformance suite from @polysecret/testing. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dotenv, encryptedFile, env, jsonFile, memory, yamlFile } from '@polysecret/core'
import { runProviderConformance } from '@polysecret/testing/conformance'
import { stringify } from 'yaml'
// Internal helper: the conformance cases need values quoted exactly as the dotenv writer quotes them.
import { quoteDotenvValue } from '../../packages/core/src/providers/dotenv-parse.js'
import { FAST_SCRYPT, PASSPHRASE } from '../../packages/core/test/fixtures/encrypted.js'

/** A temp file seeded with `text`, and its cleanup. */
async function seededFile(name: string, text: string | undefined) {
  const dir = await mkdtemp(join(tmpdir(), 'polysecret-conf-'))
  const path = join(dir, name)
  if (text !== undefined) await writeFile(path, text, { mode: 0o600 })
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

runProviderConformance({ name: 'memory', create: async (seed) => ({ provider: memory(seed) }) })

runProviderConformance({ name: 'env', create: async (seed) => ({ provider: env({ env: { ...seed } }) }) })

runProviderConformance({
  name: 'env with prefix',
  create: async (seed) => ({
    provider: env({
      prefix: 'SVC_',
      env: Object.fromEntries(Object.entries(seed).map(([k, v]) => [`SVC_${k}`, v])),
    }),
  }),
})

runProviderConformance({
  name: 'dotenv',
  async create(seed) {
    const text = Object.entries(seed)
      .map(([k, v]) => `${k}=${quoteDotenvValue(v)}\n`)
      .join('')
    const { path, cleanup } = await seededFile('.env', text)
    return { provider: dotenv({ path, writable: true }), cleanup }
  },
})

runProviderConformance({
  name: 'json-file',
  async create(seed) {
    const { path, cleanup } = await seededFile('config.json', JSON.stringify(seed, null, 2))
    return { provider: jsonFile({ path, writable: true }), cleanup }
  },
})

runProviderConformance({
  name: 'yaml-file',
  async create(seed) {
    const { path, cleanup } = await seededFile('config.yaml', stringify(seed))
    return { provider: yamlFile({ path, writable: true }), cleanup }
  },
})

runProviderConformance({
  name: 'encrypted-file',
  async create(seed) {
    const { path, cleanup } = await seededFile('secrets.enc', undefined)
    const options = { path, passphrase: PASSPHRASE, scrypt: FAST_SCRYPT }
    // Seeded through a separate instance, so the provider under test starts from the file alone.
    const seeder = encryptedFile(options)
    for (const [key, value] of Object.entries(seed)) await seeder.set(key, value)
    return { provider: encryptedFile(options), cleanup }
  },
})
