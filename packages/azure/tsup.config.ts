import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // The SDKs stay external so they are loaded lazily, on first use, from the user's node_modules.
  external: [/^@azure\//, '@polysecret/core'],
})
