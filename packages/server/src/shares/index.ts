/**
 * One-time secret sharing for @polysecret/server: the hono routes (API + web page), the two stores, and
 * the Node helpers that create and open shares in the page's format.
 * @packageDocumentation
 */

export { type EmbeddedShareStoreOptions, embeddedShareStore } from './embedded-store.js'
export { sharesExtension } from './extension.js'
export { type RedisShareStoreOptions, redisShareStore } from './redis-store.js'
export {
  type CreatedShare,
  type CreateShareOptions,
  createShare,
  type OpenShareOptions,
  openShare,
} from './share-client.js'
export { SHARE_FORMAT_VERSION, ShareFormatError } from './share-codec.js'
export type { ShareEvent, ShareRoutesOptions } from './share-options.js'
export { createShareRoutes } from './share-routes.js'
export type { ConsumedShare, NewShare, ShareStore } from './share-store.js'
