// Bundled with esbuild (the Google clients external): importing @polysecret/gcp and building providers
// needs no client at all; the first call looks for it and, absent, says what to install.
import { isPolysecretError } from '@polysecret/core'
import { parameterManager, secretManager } from '@polysecret/gcp'

const sm = secretManager({ projectId: 'fake-project' })
parameterManager({ projectId: 'fake-project' })
const error = await sm.get('DB_PASSWORD').catch((e) => e)
console.log(
  JSON.stringify({
    built: sm.type,
    code: error.code,
    isPolysecretError: isPolysecretError(error),
    hint: error.hint,
  }),
)
