// @polysecret/vault through require() (its CommonJS build, with the CommonJS core): reads app/db#password
// from the Vault fake (VAULT_ADDR, AppRole in ROLE_ID / SECRET_ID), then with a token whose policy does not
// cover the path (DENIED_TOKEN); prints one JSON report.
const { AccessDeniedError, isPolysecretError } = require('@polysecret/core')
const { vaultKv } = require('@polysecret/vault')

async function main() {
  const vault = vaultKv({
    endpoint: process.env.VAULT_ADDR,
    mount: 'secret',
    auth: { appRole: { roleId: process.env.ROLE_ID, secretId: process.env.SECRET_ID } },
  })
  const entry = await vault.get('app/db#password')
  const denied = await vaultKv({
    endpoint: process.env.VAULT_ADDR,
    mount: 'secret',
    auth: process.env.DENIED_TOKEN,
  })
    .get('app/db#password')
    .catch((error) => error)
  console.log(
    JSON.stringify({
      matches: entry.value === process.env.EXPECTED,
      deniedIsAccessDenied: denied instanceof AccessDeniedError,
      deniedIsPolysecretError: isPolysecretError(denied),
      deniedKey: denied.key,
    }),
  )
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
