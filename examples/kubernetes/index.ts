/**
 * A service that reads Secrets and ConfigMaps from the Kubernetes API and a Secret mounted as a
 * volume, and follows changes as they are pushed (watch stream, kubelet's ..data swap) — no polling.
 * It runs against the API fake from @polysecret/testing over TLS, so it needs no cluster:
 *
 *   pnpm --filter @polysecret/example-kubernetes start
 */
import '@polysecret/testing/loopback-guard' // refuses any connection that is not to 127.0.0.1
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigManager, Secret } from '@polysecret/core'
import { configMaps, kubernetesSecrets, mountedFiles } from '@polysecret/kubernetes'
import { startFake } from '@polysecret/testing'
import { z } from 'zod'

// --- The stores. In a cluster: the API server and a volume the kubelet mounts; here, a fake and a temp dir.
const cluster = await startFake('kubernetes', {
  namespaces: ['shop'],
  secrets: { 'shop/app-secrets': { data: { DB_PASSWORD: 'k8s-db-password-5e1f' } } },
  configMaps: { 'shop/app-config': { data: { LOG_LEVEL: 'info', PORT: '8080' } } },
})
const volume = mkdtempSync(join(tmpdir(), 'polysecret-example-volume-'))
/** Writes a volume update the way the kubelet does: a new ..<timestamp> dir, then one atomic ..data swap. */
let generation = 0
function kubeletWrite(files: Record<string, string>) {
  const dir = `..2025_01_01_00_00_00.${++generation}`
  mkdirSync(join(volume, dir))
  for (const [key, value] of Object.entries(files)) writeFileSync(join(volume, dir, key), value)
  symlinkSync(dir, join(volume, '..data_tmp'))
  renameSync(join(volume, '..data_tmp'), join(volume, '..data'))
}
kubeletWrite({ API_TOKEN: 'volume-api-token-v1' })

// --- The service's config: API-backed Secrets and ConfigMaps, and the mounted volume (no RBAC needed).
const connection = { namespace: 'shop', kubeconfig: cluster.kubeconfig } // in a pod: omit kubeconfig
const manager = new ConfigManager({
  secrets: [kubernetesSecrets({ ...connection, name: 'app-secrets' }), mountedFiles({ dir: volume })],
  parameters: [configMaps({ ...connection, name: 'app-config' })],
  allowWrites: true,
})
const schema = z.object({
  PORT: z.coerce.number(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn']),
  DB_PASSWORD: z.instanceof(Secret),
  API_TOKEN: z.instanceof(Secret),
})
const config = await manager.load(schema, { watch: true })
const show = (label: string) =>
  console.log(
    `${label}: PORT=${config.current.PORT} LOG_LEVEL=${config.current.LOG_LEVEL}`,
    `DB_PASSWORD=${config.current.DB_PASSWORD} API_TOKEN=${config.current.API_TOKEN}`,
  )
show('loaded')

// --- Changes arrive by push: an operator edits the ConfigMap, the kubelet rotates the mounted token.
const next = () => new Promise<void>((resolve) => config.onChange(() => resolve()))
let changed = next()
await configMaps({ ...connection, name: 'app-config' }).set('LOG_LEVEL', 'debug')
await changed
show('after kubectl edit configmap')
changed = next()
kubeletWrite({ API_TOKEN: 'volume-api-token-v2-longer' })
await changed
show('after the kubelet swapped ..data')
console.log(`requests to the API server: ${JSON.stringify(cluster.requests.byOperation())}`)

config.close()
await manager.close()
await cluster.stop()
rmSync(volume, { recursive: true, force: true })
