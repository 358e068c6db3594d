// Bundled with esbuild (node-vault external): importing @polysecret/vault and building a provider
// need no node-vault; the first Vault call looks for it and, absent, says what to install.
import { isPolysecretError } from '@polysecret/core'
import { vaultKv } from '@polysecret/vault'

const vault = vaultKv({ endpoint: 'http://127.0.0.1:8200', mount: 'secret', auth: 'hvs.not-used' })
const error = await vault.get('app/db#password').catch((e) => e)
console.log(
  JSON.stringify({
    built: vault.type,
    code: error.code,
    isPolysecretError: isPolysecretError(error),
    hint: error.hint,
  }),
)
