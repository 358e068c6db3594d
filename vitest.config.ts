import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, not the built dist/ (see the "source" export condition).
    conditions: ['source'],
  },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./test/setup/loopback-guard.ts'],
    env: { METADATA_SERVER_DETECTION: 'none', AWS_EC2_METADATA_DISABLED: 'true' },
    // Node's own resolution in the workers uses the source condition too: createManager resolves
    // provider packages the way an import from the app would, honouring --conditions.
    execArgv: ['--conditions=source'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
})
