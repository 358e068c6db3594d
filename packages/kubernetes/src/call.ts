/**
 * Settles with `call`, or rejects with an `AbortError` as soon as `signal` aborts. The client's
 * generated API methods take no AbortSignal; the abandoned call's answer is ignored.
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
