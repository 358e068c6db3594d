import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // The SDK stays external so it is loaded lazily, on first use, from the user's node_modules.
  external: ['@kubernetes/client-node', '@polysecret/core'],
})
