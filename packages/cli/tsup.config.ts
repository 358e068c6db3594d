import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  // ESM only: a command line has no require() users, and one format keeps the code-split command
  // modules lazy (each command is its own chunk, loaded when it runs).
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  splitting: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // Provider packages and libraries stay external: loaded on first use from node_modules.
  external: [
    /^@polysecret\//,
    'commander',
    'cli-progress',
    'cli-table3',
    '@inquirer/password',
    'dotenv',
    'yaml',
  ],
})
