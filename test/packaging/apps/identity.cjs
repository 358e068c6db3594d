// Error identity between the two copies of core an app can load: the CommonJS build (require) and the
// ESM build (import, as provider packages get it). Prints one JSON report.
const cjs = require('@polysecret/core')

async function main() {
  const esm = await import('@polysecret/core')
  const checks = {
    twoCopies: esm.AccessDeniedError !== cjs.AccessDeniedError,
    esmInstanceofCjs: new esm.AccessDeniedError() instanceof cjs.AccessDeniedError,
    cjsInstanceofEsm: new cjs.AccessDeniedError() instanceof esm.AccessDeniedError,
    esmIsCjsBase: new esm.NotFoundError() instanceof cjs.PolysecretError,
    cjsIsEsmBase: new cjs.ThrottledError() instanceof esm.PolysecretError,
    esmIsError: new esm.UnavailableError() instanceof Error,
    isPolysecretErrorAcross: cjs.isPolysecretError(new esm.IntegrityError()),
    esmIsPolysecretErrorAcross: esm.isPolysecretError(new cjs.ConflictError()),
    sameCode: new esm.ReadOnlyError().code === new cjs.ReadOnlyError().code,
    // A brand must not make every error everything:
    notFoundIsNotAccessDenied: new esm.NotFoundError() instanceof cjs.AccessDeniedError,
    throttledIsNotUnavailable: new cjs.ThrottledError() instanceof esm.UnavailableError,
    plainErrorIsNotPolysecret: cjs.isPolysecretError(Object.assign(new Error('x'), { code: 'NOT_FOUND' })),
  }
  console.log(JSON.stringify(checks))
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
