// A CommonJS app that builds its manager declaratively with @polysecret/gcp (loaded as ESM by the
// CommonJS core): Secret Manager over REST (the fake at GCP_PORT) first, a memory store second.
// Prints one JSON report of what a read of DB_PASSWORD gave. The fake wants any bearer token: the
// auth client below holds a made-up one, so nothing probes a metadata server.
const { AccessDeniedError, createManager, isPolysecretError } = require('@polysecret/core')
const { OAuth2Client } = require('google-auth-library')

async function main() {
  const authClient = new OAuth2Client()
  authClient.setCredentials({ access_token: 'fake-token', expiry_date: Date.now() + 3_600_000 })
  const manager = await createManager({
    secrets: [
      {
        type: 'gcp-secret-manager',
        projectId: 'fake-project',
        transport: 'rest',
        clientOptions: {
          apiEndpoint: '127.0.0.1',
          port: Number(process.env.GCP_PORT),
          protocol: 'http',
          authClient,
        },
      },
      { type: 'memory', name: 'local', initial: { DB_PASSWORD: 'local-fallback-value' } },
    ],
    retry: false,
    cache: false,
  })
  try {
    const value = await manager.getWithMetadata('DB_PASSWORD')
    console.log(
      JSON.stringify({
        outcome: 'value',
        provider: value.provider,
        matches: value.value.reveal() === process.env.EXPECTED,
      }),
    )
  } catch (error) {
    console.log(
      JSON.stringify({
        outcome: 'error',
        code: error.code,
        instanceofAccessDenied: error instanceof AccessDeniedError,
        isPolysecretError: isPolysecretError(error),
        builtByCommonJsCore: Object.getPrototypeOf(error) === AccessDeniedError.prototype,
        tried: error.tried,
      }),
    )
  } finally {
    await manager.close()
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
