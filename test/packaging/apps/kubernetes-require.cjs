// @polysecret/kubernetes through require() (its CommonJS build, with the CommonJS core): reads
// apps/db/password from the API fake (kubeconfig in KUBECONFIG_DOC), then with a token limited to
// another namespace (DENIED_KUBECONFIG_DOC), then a mounted volume (VOLUME_DIR); prints one JSON report.
const { AccessDeniedError, isPolysecretError } = require('@polysecret/core')
const { kubernetesSecrets, mountedFiles } = require('@polysecret/kubernetes')

async function main() {
  const secrets = kubernetesSecrets({ namespace: 'apps', kubeconfig: process.env.KUBECONFIG_DOC })
  const entry = await secrets.get('db/password')
  const denied = await kubernetesSecrets({ namespace: 'apps', kubeconfig: process.env.DENIED_KUBECONFIG_DOC })
    .get('db/password')
    .catch((error) => error)
  const volume = await mountedFiles({ dir: process.env.VOLUME_DIR }).get('TOKEN')
  console.log(
    JSON.stringify({
      matches: entry.value === process.env.EXPECTED,
      deniedIsAccessDenied: denied instanceof AccessDeniedError,
      deniedIsPolysecretError: isPolysecretError(denied),
      deniedKey: denied.key,
      volumeMatches: volume.value === process.env.EXPECTED,
    }),
  )
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
