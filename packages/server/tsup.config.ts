import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/shares/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  external: [
    'yaml',
    '@polysecret/core',
    'hono',
    /^hono\//,
    '@hono/node-server',
    'pino',
    'pino-roll',
    'prom-client',
    'picomatch',
    'ioredis',
  ],
})
