// @polysecret/gcp through require() (its CommonJS build, with the CommonJS core): reads DB_PASSWORD from
// Secret Manager over REST (the fake at GCP_PORT), then a denied secret; prints one JSON report.
const { AccessDeniedError, isPolysecretError } = require('@polysecret/core')
const { secretManager } = require('@polysecret/gcp')
const { OAuth2Client } = require('google-auth-library')

async function main() {
  const authClient = new OAuth2Client()
  authClient.setCredentials({ access_token: 'fake-token', expiry_date: Date.now() + 3_600_000 })
  const sm = secretManager({
    projectId: 'fake-project',
    transport: 'rest',
    clientOptions: {
      apiEndpoint: '127.0.0.1',
      port: Number(process.env.GCP_PORT),
      protocol: 'http',
      authClient,
    },
  })
  const entry = await sm.get('DB_PASSWORD')
  const denied = await sm.get('DENIED').catch((error) => error)
  console.log(
    JSON.stringify({
      matches: entry.value === process.env.EXPECTED,
      deniedIsAccessDenied: denied instanceof AccessDeniedError,
      deniedIsPolysecretError: isPolysecretError(denied),
      deniedKey: denied.key,
    }),
  )
  await sm.close()
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
