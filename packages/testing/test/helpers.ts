import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { SSMClient } from '@aws-sdk/client-ssm'

/** The client options every test uses: a fake endpoint, a fixed region and throwaway credentials. */
function clientConfig(endpoint: string, maxAttempts: number) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
    maxAttempts,
  }
}

/** A real Secrets Manager client pointed at a fake. One attempt: tests see every fault as it is. */
export function smClient(endpoint: string, maxAttempts = 1): SecretsManagerClient {
  return new SecretsManagerClient(clientConfig(endpoint, maxAttempts))
}

/** A real SSM client pointed at a fake. */
export function ssmClient(endpoint: string, maxAttempts = 1): SSMClient {
  return new SSMClient(clientConfig(endpoint, maxAttempts))
}

/** Awaits a promise expected to reject and returns the error, failing if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, any>> {
  try {
    await promise
  } catch (error) {
    return error as Error & Record<string, any>
  }
  throw new Error('expected the promise to reject, but it resolved')
}

/** Lets real I/O (sockets, a fake's handlers) run while timers are faked, until `done()` holds. */
export async function ioUntil(done: () => boolean): Promise<void> {
  for (let turns = 0; !done(); turns++) {
    if (turns > 100_000) throw new Error('the condition never held')
    await new Promise((resolve) => setImmediate(resolve))
  }
}
