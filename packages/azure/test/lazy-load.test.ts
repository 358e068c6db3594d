import { execFile } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../..', import.meta.url))
const entry = pathToFileURL(fileURLToPath(new URL('../src/index.ts', import.meta.url))).href

/**
 * A resolve hook (registered after tsx, so it sees every ESM resolution) that records resolved URLs
 * under @azure. Hooks run on their own thread, so it reports through a MessagePort.
 */
const HOOK = `
let port
export function initialize(data) { port = data.port }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  if (result.url.includes('/@azure/')) port.postMessage(result.url)
  return result
}`

/** Imports the package in a fresh process, then makes one call, reporting which Azure client modules loaded when. */
const CHILD = `
import { register, createRequire } from 'node:module'
import { MessageChannel } from 'node:worker_threads'
const { port1, port2 } = new MessageChannel()
const seen = []
port1.on('message', (url) => seen.push(url))
port1.unref()
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}), { data: { port: port2 }, transferList: [port2] })
const cjs = () => Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes('@azure'))
const settle = () => new Promise((r) => setTimeout(r, 50))
const azure = await import(${JSON.stringify(entry)})
const kv = azure.keyVault({ vaultUrl: 'https://127.0.0.1:1', credential: { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60000 }) } })
const ac = azure.appConfiguration({ connectionString: 'Endpoint=https://127.0.0.1:1;Id=x;Secret=eA==' })
const keyless = azure.keyVault({ vaultUrl: 'https://127.0.0.1:1' })
await settle()
const before = { esm: seen.length, cjs: cjs().length }
await kv.health()
await ac.health()
const afterExplicit = seen.some((u) => u.includes('/@azure/identity/'))
await keyless.health()
await settle()
const after = { esm: [...seen], cjs: cjs().length }
console.log(JSON.stringify({ before, after, afterExplicit }))
`

it('importing @polysecret/azure and creating providers loads no Azure client; the first call does; identity only without a credential', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--no-warnings', '--input-type=module', '-e', CHILD],
    { cwd: root, timeout: 30_000 },
  )
  const { before, after, afterExplicit } = JSON.parse(stdout.trim().split('\n').pop()!) as {
    before: { esm: number; cjs: number }
    after: { esm: string[]; cjs: number }
    afterExplicit: boolean
  }
  expect(before).toEqual({ esm: 0, cjs: 0 })
  // The positive control: the same probe does see the SDKs once a provider is used.
  expect(after.esm.some((u) => u.includes('@azure/keyvault-secrets'))).toBe(true)
  expect(after.esm.some((u) => u.includes('@azure/app-configuration'))).toBe(true)
  // DefaultAzureCredential is imported only for the provider given no credential.
  expect(afterExplicit).toBe(false)
  expect(after.esm.some((u) => u.includes('@azure/identity'))).toBe(true)
}, 30_000)
