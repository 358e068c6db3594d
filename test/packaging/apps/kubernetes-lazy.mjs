// Bundled with esbuild (@kubernetes/client-node external): importing @polysecret/kubernetes, building
// providers and reading a mounted volume need no client at all; the first API call looks for it and,
// absent, says what to install.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isPolysecretError } from '@polysecret/core'
import { configMaps, kubernetesSecrets, mountedFiles } from '@polysecret/kubernetes'

const dir = mkdtempSync(join(tmpdir(), 'polysecret-bundle-volume-'))
writeFileSync(join(dir, 'TOKEN'), 'from-volume')
const volume = await mountedFiles({ dir }).get('TOKEN')
const secrets = kubernetesSecrets({ namespace: 'apps', kubeconfig: '/nonexistent/kubeconfig' })
configMaps({ namespace: 'apps', inCluster: true })
const error = await secrets.get('db/password').catch((e) => e)
console.log(
  JSON.stringify({
    volume: volume.value,
    built: secrets.type,
    code: error.code,
    isPolysecretError: isPolysecretError(error),
    hint: error.hint,
  }),
)
