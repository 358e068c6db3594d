import { execFile } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'
import { kubeletVolume } from './volume-layout.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../..', import.meta.url))
const entry = pathToFileURL(fileURLToPath(new URL('../src/index.ts', import.meta.url))).href

/** A resolve hook (after tsx, so it sees every ESM resolution) reporting URLs under @kubernetes through a MessagePort. */
const HOOK = `
let port
export function initialize(data) { port = data.port }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  if (result.url.includes('/@kubernetes/')) port.postMessage(result.url)
  return result
}`

/**
 * In a fresh process: import the package, use mountedFiles fully (get, getMany, list, subscribe
 * through a kubelet swap, health), then — the positive control — make one kubernetesSecrets call.
 */
const child = (dir: string) => `
import { register } from 'node:module'
import { MessageChannel } from 'node:worker_threads'
import { rename, symlink, mkdir, writeFile } from 'node:fs/promises'
const { port1, port2 } = new MessageChannel()
const seen = []
port1.on('message', (url) => seen.push(url))
port1.unref()
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}), { data: { port: port2 }, transferList: [port2] })
const settle = () => new Promise((r) => setTimeout(r, 50))
const k8s = await import(${JSON.stringify(entry)})
const dir = ${JSON.stringify(dir)}
const volume = k8s.mountedFiles({ dir })
const secrets = k8s.kubernetesSecrets({ namespace: 'apps', kubeconfig: 'apiVersion: v1\\nkind: Config\\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\\nusers: [{name: u, user: {token: t}}]\\ncontexts: [{name: x, context: {cluster: c, user: u}}]\\ncurrent-context: x\\n' })
const values = [(await volume.get('A')).value, (await volume.getMany(['A'])).entries.size]
for await (const k of volume.list()) values.push(k.key)
const pushed = new Promise((resolve) => volume.subscribe(resolve, { onError: () => {} }).then((s) => { sub = s }))
let sub
await settle()
await mkdir(dir + '/..new')
await writeFile(dir + '/..new/A', '2')
await symlink('..new', dir + '/..data_tmp')
await rename(dir + '/..data_tmp', dir + '/..data')
values.push((await pushed).keys)
sub.close()
values.push((await volume.health()).ok)
await settle()
const before = seen.length
await secrets.health()
await settle()
console.log(JSON.stringify({ values, before, after: seen }))
`

it('mountedFiles (get, list, subscribe, health) never loads @kubernetes/client-node; a kubernetesSecrets call does', async () => {
  const v = await kubeletVolume({ A: '1' })
  try {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--no-warnings', '--input-type=module', '-e', child(v.dir)],
      { cwd: root, timeout: 30_000 },
    )
    const { values, before, after } = JSON.parse(stdout.trim().split('\n').pop()!) as {
      values: unknown[]
      before: number
      after: string[]
    }
    expect(values).toEqual(['1', 1, 'A', ['A'], true])
    expect(before).toBe(0)
    // The positive control: the same probe sees the SDK once an API provider is used.
    expect(after.some((u) => u.includes('@kubernetes/client-node'))).toBe(true)
  } finally {
    await v.cleanup()
  }
}, 30_000)
