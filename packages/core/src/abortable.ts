/**
 * Settles with `call`, or rejects with an `AbortError` as soon as `signal` aborts — for provider
 * packages whose SDK methods take no AbortSignal (Google's generated clients, @kubernetes/client-node,
 * node-vault), so the manager's per-attempt timeout still ends the attempt. The abandoned call's
 * answer is ignored.
 */
export function withSignal<T>(call: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return call
  if (signal.aborted) return Promise.reject(abortError(signal))
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    call.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

function abortError(signal: AbortSignal): Error {
  const error = new Error('The request was aborted', { cause: signal.reason })
  error.name = 'AbortError'
  return error
}
