export * from './errors.js'
export * from './provider.js'
export { Secret, revealValue } from './secret.js'
export { scrubText, scrubError } from './scrub.js'
