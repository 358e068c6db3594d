// Bundled with esbuild (the Azure clients external): importing @polysecret/azure and building providers
// needs no client at all; the first call looks for it and, absent, says what to install.
import { appConfiguration, keyVault } from '@polysecret/azure'
import { isPolysecretError } from '@polysecret/core'

const kv = keyVault({ vaultUrl: 'https://127.0.0.1:1', credential: { getToken: async () => null } })
appConfiguration({ connectionString: 'Endpoint=https://127.0.0.1:1;Id=x;Secret=eA==' })
const error = await kv.get('DB_PASSWORD').catch((e) => e)
console.log(
  JSON.stringify({
    built: kv.type,
    code: error.code,
    isPolysecretError: isPolysecretError(error),
    hint: error.hint,
  }),
)
