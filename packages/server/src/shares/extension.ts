/**
 * One-time shares as a server extension: `createServer(manager, { extensions: [sharesExtension({ store })] })`
 * mounts the share API and page, lists the API in the server's OpenAPI document, writes each share
 * event to the server's audit log (the share's reference, never its id, key or content), and closes
 * the store with the server.
 */
import type { ServerExtension } from '../options.js'
import type { ShareEvent, ShareRoutesOptions } from './share-options.js'
import { createShareRoutes } from './share-routes.js'

const shareId = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' },
}
const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } })

function openapiPaths(apiPath: string): Record<string, unknown> {
  return {
    [apiPath]: {
      post: {
        operationId: 'createShare',
        summary: 'Store a ciphertext encrypted by the client; the key stays in the link fragment',
        requestBody: { required: true, content: json('NewShare') },
        responses: {
          '201': { description: 'created', content: json('CreatedShare') },
          '400': { description: 'invalid' },
          '413': { description: 'too large' },
        },
      },
    },
    [`${apiPath}/{id}`]: {
      get: {
        operationId: 'openShare',
        summary: 'Return the ciphertext once (or its remaining reads), then it is gone',
        parameters: [shareId],
        responses: {
          '200': { description: 'the ciphertext', content: json('OpenedShare') },
          '404': { description: 'gone or never existed' },
        },
      },
      delete: {
        operationId: 'burnShare',
        parameters: [shareId],
        responses: { '204': { description: 'burned' }, '404': { description: 'gone or never existed' } },
      },
    },
  }
}

const schemas = {
  NewShare: {
    type: 'object',
    required: ['ciphertext'],
    properties: {
      ciphertext: { type: 'string', description: 'base64url; made by the page or createShare()' },
      ttl: { type: 'integer' },
      reads: { type: 'integer' },
    },
  },
  CreatedShare: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      expiresAt: { type: 'string', format: 'date-time' },
      reads: { type: 'integer' },
    },
  },
  OpenedShare: {
    type: 'object',
    properties: {
      ciphertext: { type: 'string' },
      expiresAt: { type: 'string', format: 'date-time' },
      readsLeft: { type: 'integer' },
    },
  },
}

export function sharesExtension(options: ShareRoutesOptions): ServerExtension {
  const apiPath = options.apiPath ?? '/v1/shares'
  return {
    name: 'shares',
    mount(app, context) {
      const onEvent = (event: ShareEvent) => {
        options.onEvent?.(event)
        context.audit.record({
          requestId: '-',
          who: undefined,
          operation: `share.${event.action}`,
          ...(event.share !== undefined && { key: `share:${event.share}` }),
          provider: event.store,
          outcome: event.outcome,
          status: event.outcome === 'ok' ? 200 : event.outcome === 'not_found' ? 404 : 400,
          latencyMs: 0,
        })
      }
      // Share routes take no token (a recipient has only the link), so they are limited by client
      // address like every unauthenticated route of the server.
      app.use(apiPath, context.rateLimit)
      app.use(`${apiPath}/*`, context.rateLimit)
      app.route('/', createShareRoutes({ ...options, onEvent }))
    },
    openapi: { paths: openapiPaths(apiPath), schemas },
    close: () => options.store.close(),
  }
}
