import { execFile } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../..', import.meta.url))
const entry = pathToFileURL(fileURLToPath(new URL('../src/index.ts', import.meta.url))).href

/** Imports the package in a fresh process, then makes one call, reporting which node-vault/axios modules loaded when. */
const CHILD = `
import { createRequire } from 'node:module'
const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((p) => /[\\\\/](node-vault|axios)[\\\\/]/.test(p)).length
const vault = await import(${JSON.stringify(entry)})
const provider = vault.vaultKv({ endpoint: 'http://127.0.0.1:1', mount: 'secret', auth: 'hvs.lazy-test' })
const before = loaded()
await provider.get('app/db#password').catch(() => undefined)
console.log(JSON.stringify({ before, after: loaded() }))
`

it('importing @polysecret/vault and creating a provider loads no node-vault; the first call does', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--no-warnings', '--input-type=module', '-e', CHILD],
    { cwd: root, timeout: 30_000 },
  )
  const { before, after } = JSON.parse(stdout.trim().split('\n').pop()!) as { before: number; after: number }
  expect(before).toBe(0)
  // The positive control: the same probe sees node-vault once the provider is used.
  expect(after).toBeGreaterThan(0)
}, 30_000)
