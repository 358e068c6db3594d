// A CommonJS app that builds its manager declaratively: createManager (the CommonJS core) imports
// @polysecret/aws as ESM, which brings the ESM copy of core. Secrets Manager (the fake at SM_ENDPOINT)
// comes first, a memory store second. Prints one JSON report of what a read of DB_PASSWORD gave.
const { AccessDeniedError, createManager, isPolysecretError } = require('@polysecret/core')

async function main() {
  const manager = await createManager({
    secrets: [
      {
        type: 'aws-secrets-manager',
        region: 'us-east-1',
        endpoint: process.env.SM_ENDPOINT,
        credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
        maxAttempts: 1,
      },
      { type: 'memory', name: 'local', initial: { DB_PASSWORD: 'local-fallback-value' } },
    ],
    retry: false,
    cache: false,
  })
  try {
    const value = await manager.getWithMetadata('DB_PASSWORD')
    console.log(JSON.stringify({ outcome: 'value', provider: value.provider }))
  } catch (error) {
    console.log(
      JSON.stringify({
        outcome: 'error',
        code: error.code,
        instanceofAccessDenied: error instanceof AccessDeniedError,
        isPolysecretError: isPolysecretError(error),
        // Which copy built it: the ESM one proves the error crossed the ESM/CommonJS boundary.
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
