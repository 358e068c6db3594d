// @polysecret/azure through require() (its CommonJS build, with the CommonJS core): reads DB_PASSWORD
// from the Key Vault fake over TLS (AZURE_VAULT_URL, CA in AZURE_CA, tokens signed with AZURE_TOKEN_KEY),
// then a disabled secret; prints one JSON report.
const { AccessDeniedError, isPolysecretError } = require('@polysecret/core')
const { keyVault, SecretDisabledError } = require('@polysecret/azure')
const { fakeTokenCredential } = require('@polysecret/testing')

async function main() {
  const kv = keyVault({
    vaultUrl: process.env.AZURE_VAULT_URL,
    credential: fakeTokenCredential({ tokenKey: process.env.AZURE_TOKEN_KEY }),
    clientOptions: { tlsOptions: { ca: process.env.AZURE_CA }, disableChallengeResourceVerification: true },
  })
  const entry = await kv.get('DB_PASSWORD')
  const disabled = await kv.get('OFF_TOKEN').catch((error) => error)
  console.log(
    JSON.stringify({
      matches: entry.value === process.env.EXPECTED,
      disabledIsAccessDenied: disabled instanceof AccessDeniedError,
      disabledIsSecretDisabled: disabled instanceof SecretDisabledError,
      disabledIsPolysecretError: isPolysecretError(disabled),
      disabledKey: disabled.key,
    }),
  )
  await kv.close()
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
