/**
 * Libraries only generation needs, loaded on first use with `import()` and declared as optional peer
 * dependencies of `@polysecret/core`: a service that never makes a certificate or a bcrypt hash neither
 * installs nor loads them. A missing one becomes a `MissingDependencyError` naming what to install.
 */
import { webcrypto } from 'node:crypto'
import { MissingDependencyError } from '../errors.js'

type X509 = typeof import('@peculiar/x509')
type Bcrypt = typeof import('bcryptjs')

let x509Loading: Promise<X509> | undefined
let bcryptLoading: Promise<Bcrypt> | undefined

/**
 * Imports an optional package by a name held in a variable. Bundlers (esbuild, webpack, rollup) leave
 * such an import alone instead of failing the build of an app that does not install the package; it
 * is resolved from node_modules when a spec first needs it. (Core's own dependencies, in
 * lazy-modules.ts, use literal specifiers so a bundle carries them.)
 */
function importOptional(name: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name)
}

/** Each loader may be replaced in tests to stand for a missing package (the real import otherwise). */
export const importers = {
  reflectMetadata: () => importOptional('reflect-metadata'),
  x509: () => importOptional('@peculiar/x509') as Promise<X509>,
  bcrypt: () => importOptional('bcryptjs') as Promise<Bcrypt>,
}

/**
 * `@peculiar/x509`, set up to sign with Node's WebCrypto. It resolves its algorithms through tsyringe,
 * which needs the `Reflect.getMetadata` polyfill loaded first — that is what `reflect-metadata` is for.
 */
export function loadX509(feature: string): Promise<X509> {
  x509Loading ??= (async () => {
    const hasReflect = typeof (Reflect as { getMetadata?: unknown }).getMetadata === 'function'
    if (!hasReflect) await importers.reflectMetadata()
    const module = await importers.x509()
    const x509 = ((module as unknown as { default?: X509 }).default ?? module) as X509
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<X509['cryptoProvider']['set']>[0])
    return x509
  })().catch((cause: unknown) => {
    x509Loading = undefined
    throw new MissingDependencyError({ feature, packages: ['@peculiar/x509', 'reflect-metadata'], cause })
  })
  return x509Loading
}

/** `bcryptjs` (pure JavaScript bcrypt, compatible with the native `bcrypt` hashes). */
export function loadBcrypt(feature: string): Promise<Bcrypt> {
  bcryptLoading ??= importers
    .bcrypt()
    .then((module) => ((module as unknown as { default?: Bcrypt }).default ?? module) as Bcrypt)
    .catch((cause: unknown) => {
      bcryptLoading = undefined
      throw new MissingDependencyError({ feature, packages: ['bcryptjs'], cause })
    })
  return bcryptLoading
}
