/**
 * The OpenAPI 3.1 document served at `/openapi.json`, built from the same switches as the routes
 * (writes, extensions), so the document lists exactly the routes the server registered — a test
 * compares the two.
 */

const KEY_PARAM = {
  name: 'key',
  in: 'path',
  required: true,
  description:
    'The key, URL-encoded as one path segment (encodeURIComponent: "app/db#password" → "app%2Fdb%23password").',
  schema: { type: 'string' },
}

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
})

const json = (description: string, ref: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
})

const AUTH_ERRORS = {
  '401': error('No or unknown bearer token.'),
  '403': error(
    'The caller may not do this to this key (FORBIDDEN), or the store refused (ACCESS_DENIED), or writes are off (READ_ONLY).',
  ),
  '429': error('Rate limit reached (RATE_LIMITED) or the store is throttling (THROTTLED); see Retry-After.'),
}

const readParams = [
  {
    name: 'version',
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: 'Read this version.',
  },
  {
    name: 'label',
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: 'Read the version with this stage or label.',
  },
  {
    name: 'fresh',
    in: 'query',
    required: false,
    schema: { type: 'boolean' },
    description: 'Skip the cache.',
  },
]

const schemas = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', examples: ['NOT_FOUND', 'FORBIDDEN', 'UNAVAILABLE'] },
          message: { type: 'string' },
          key: { type: 'string' },
          provider: { type: 'string' },
          requestId: { type: 'string' },
        },
      },
    },
  },
  Value: {
    type: 'object',
    required: ['value', 'kind', 'provider', 'labels', 'cache', 'stale'],
    properties: {
      key: { type: 'string' },
      value: { type: 'string' },
      kind: { enum: ['secret', 'parameter'] },
      provider: { type: 'string' },
      version: { type: 'string' },
      updatedAt: { type: 'string', format: 'date-time' },
      labels: { type: 'array', items: { type: 'string' } },
      cache: { enum: ['fresh', 'stale', 'miss'] },
      stale: { type: 'boolean' },
    },
  },
  BatchGetResponse: {
    type: 'object',
    required: ['values', 'errors'],
    properties: {
      values: { type: 'object', additionalProperties: { $ref: '#/components/schemas/Value' } },
      errors: {
        type: 'object',
        additionalProperties: { $ref: '#/components/schemas/Error/properties/error' },
      },
    },
  },
  Versions: {
    type: 'object',
    required: ['key', 'versions'],
    properties: {
      key: { type: 'string' },
      versions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['version', 'current', 'labels'],
          properties: {
            version: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            current: { type: 'boolean' },
            labels: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
  },
  Keys: {
    type: 'object',
    required: ['keys'],
    properties: {
      keys: {
        type: 'array',
        items: {
          type: 'object',
          required: ['key', 'kind', 'provider'],
          properties: {
            key: { type: 'string' },
            kind: { enum: ['secret', 'parameter'] },
            provider: { type: 'string' },
            version: { type: 'string' },
            updatedAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  },
  Ready: {
    type: 'object',
    required: ['status', 'providers', 'credentialsExpiringSoon'],
    properties: {
      status: { enum: ['ready', 'unavailable'] },
      credentialsExpiringSoon: { type: 'array', items: { type: 'string' } },
      providers: {
        type: 'array',
        items: {
          type: 'object',
          required: ['provider', 'type', 'ok', 'latencyMs'],
          properties: {
            provider: { type: 'string' },
            type: { type: 'string' },
            ok: { type: 'boolean' },
            latencyMs: { type: 'number' },
            message: { type: 'string' },
            credentialsExpireAt: { type: 'string', format: 'date-time' },
            credentialsExpiringSoon: { type: 'boolean' },
          },
        },
      },
    },
  },
}

export interface OpenApiParts {
  readonly allowWrites: boolean
  readonly version: string
  readonly extensions: ReadonlyArray<{
    readonly paths: Record<string, unknown>
    readonly schemas?: Record<string, unknown>
  }>
}

export function openApiDocument(parts: OpenApiParts): Record<string, unknown> {
  const secured = [{ bearer: [] }]
  const one: Record<string, unknown> = {
    get: {
      operationId: 'getSecret',
      summary: 'Read one key (a secret or a parameter).',
      security: secured,
      parameters: [KEY_PARAM, ...readParams],
      responses: {
        '200': json('The value and how it was found.', 'Value'),
        '404': error('No provider has the key.'),
        ...AUTH_ERRORS,
        '503': error('Every provider failed.'),
      },
    },
  }
  if (parts.allowWrites) {
    one.put = {
      operationId: 'putSecret',
      summary: 'Write a key (writes must be enabled on the server and the manager).',
      security: secured,
      parameters: [KEY_PARAM],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['value'],
              properties: {
                value: { type: 'string' },
                kind: { enum: ['secret', 'parameter'] },
                ifVersion: { type: 'string' },
                createOnly: { type: 'boolean' },
                description: { type: 'string' },
                to: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
              },
            },
          },
        },
      },
      responses: {
        '200': { description: 'Written.' },
        '409': error('ifVersion or createOnly conflict.'),
        ...AUTH_ERRORS,
      },
    }
    one.delete = {
      operationId: 'deleteSecret',
      summary: 'Delete a key.',
      security: secured,
      parameters: [
        KEY_PARAM,
        { name: 'force', in: 'query', required: false, schema: { type: 'boolean' } },
        { name: 'ifVersion', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: { '200': { description: 'Deleted.' }, '404': error('No such key.'), ...AUTH_ERRORS },
    }
  }
  const paths: Record<string, unknown> = {
    '/v1/secrets/{key}': one,
    '/v1/secrets:batchGet': {
      post: {
        operationId: 'batchGetSecrets',
        summary: 'Read many keys; partial results, an error per key that failed.',
        security: secured,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['keys'],
                properties: { keys: { type: 'array', minItems: 1, items: { type: 'string' } } },
              },
            },
          },
        },
        responses: {
          '200': json('Values and per-key errors.', 'BatchGetResponse'),
          '413': error('Too many keys.'),
          ...AUTH_ERRORS,
        },
      },
    },
    '/v1/secrets/{key}/versions': {
      get: {
        operationId: 'listVersions',
        summary: 'Versions of a key, newest first (no values).',
        security: secured,
        parameters: [
          KEY_PARAM,
          { name: 'provider', in: 'query', required: false, schema: { type: 'string' } },
        ],
        responses: {
          '200': json('Versions.', 'Versions'),
          '501': error('The provider keeps no versions.'),
          ...AUTH_ERRORS,
        },
      },
    },
    '/v1/keys': {
      get: {
        operationId: 'listKeys',
        summary: 'Keys under a prefix the caller may list (no values).',
        security: secured,
        parameters: [{ name: 'prefix', in: 'query', required: false, schema: { type: 'string' } }],
        responses: { '200': json('Keys.', 'Keys'), ...AUTH_ERRORS },
      },
    },
    '/health': {
      get: {
        operationId: 'health',
        summary: 'The process is up.',
        responses: { '200': { description: 'Up.' } },
      },
    },
    '/ready': {
      get: {
        operationId: 'ready',
        summary: 'Every provider checked, with latency and credential expiry.',
        responses: { '200': json('Ready.', 'Ready'), '503': json('A provider is not ready.', 'Ready') },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics.',
        responses: {
          '200': {
            description: 'Prometheus text format.',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document.',
        responses: { '200': { description: 'OpenAPI 3.1.' } },
      },
    },
  }
  const extraSchemas: Record<string, unknown> = {}
  for (const e of parts.extensions) {
    Object.assign(paths, e.paths)
    Object.assign(extraSchemas, e.schemas)
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'polysecret server',
      version: parts.version,
      description: 'Secrets and configuration from every store behind one audited HTTP door.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    paths,
    components: {
      schemas: { ...schemas, ...extraSchemas },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A configured token, or a Kubernetes service-account token (TokenReview).',
        },
      },
    },
  }
}
