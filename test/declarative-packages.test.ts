/**
 * createManager finds provider packages installed in the APPLICATION — not next to core, which depends
 * on none of them — the way an `import` from the app would (package.json `exports`, import condition).
 */
import { mkdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { createManager, type Secret, ValidationError } from '@polysecret/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { tempDirs } from '../packages/core/test/fixtures/temp-dir.js'
import { writeFiles } from './packaging/support.js'

const tempDir = tempDirs()
const PACKAGES = join(import.meta.dirname, '..', 'packages')

afterEach(() => {
  vi.restoreAllMocks()
})

const awsConfig = {
  secrets: [
    {
      type: 'aws-secrets-manager',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
    },
  ],
}

/** An app folder whose node_modules holds the given workspace packages (as links, like pnpm). */
async function appWith(...packages: string[]): Promise<string> {
  const app = await tempDir()
  await mkdir(join(app, 'node_modules/@polysecret'), { recursive: true })
  for (const name of packages)
    await symlink(join(PACKAGES, name), join(app, 'node_modules/@polysecret', name))
  return app
}

describe('createManager: provider packages come from the application', () => {
  it('a package the app lacks is an error naming it, how to install it and where it looked', async () => {
    const app = await appWith('core')
    const error = await createManager(awsConfig, { resolveFrom: app }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    const { message } = error as ValidationError
    expect(message).toContain('needs the package @polysecret/aws, which is not installed in the application')
    expect(message).toContain(`looked in ${app}`)
    expect(message).toContain('npm install @polysecret/aws')
  })

  it('loads the package installed in the app folder', async () => {
    const app = await appWith('core', 'aws')
    const manager = await createManager(awsConfig, { resolveFrom: app })
    expect(manager.providers.secrets[0]!.type).toBe('aws-secrets-manager')
    await manager.close()
  })

  it('resolves from the working directory, then from the main script folder, by default', async () => {
    const empty = await appWith()
    const withAws = await appWith('core', 'aws')
    const mainScript = process.argv[1]
    vi.spyOn(process, 'cwd').mockReturnValue(empty)
    try {
      process.argv[1] = join(empty, 'server.js')
      await expect(createManager(awsConfig)).rejects.toThrow(`looked in ${empty}`)
      // A service started by a supervisor from another folder: its script's folder has the package.
      process.argv[1] = join(withAws, 'server.js')
      const manager = await createManager(awsConfig)
      expect(manager.providers.secrets[0]!.type).toBe('aws-secrets-manager')
      await manager.close()
    } finally {
      process.argv[1] = mainScript!
    }
  })

  it("follows the package's exports as an import would: the import entry, never the require one", async () => {
    const app = await appWith('core')
    await writeFiles(join(app, 'node_modules/@polysecret/gcp'), {
      'package.json': JSON.stringify({
        name: '@polysecret/gcp',
        type: 'module',
        exports: {
          './package.json': './package.json',
          '.': { require: './index.cjs', import: { types: './index.d.ts', default: './esm/index.js' } },
        },
      }),
      'index.cjs': "throw new Error('the require entry was loaded')\n",
      // A provider by hand (no import of core: a file under node_modules is loaded by node itself here).
      'esm/index.js': `const capabilities = { list: false, write: false, delete: false, versions: false, batch: false, watch: false }
export const polysecretProviders = {
  'gcp-secret-manager': (options) => ({
    name: 'gcp',
    type: 'gcp-secret-manager',
    capabilities,
    async get(key) {
      return key === 'GCP_TOKEN' ? { value: String(options.token), version: '1' } : undefined
    },
    async health() {
      return { ok: true }
    },
  }),
}
`,
    })
    const manager = await createManager(
      { secrets: [{ type: 'gcp-secret-manager', token: 'from-the-esm-entry' }] },
      { resolveFrom: app },
    )
    expect(((await manager.get('GCP_TOKEN')) as Secret).reveal()).toBe('from-the-esm-entry')
  })

  it('a package that is installed but broken is an error naming it, with the reason as cause', async () => {
    const app = await appWith()
    await writeFiles(join(app, 'node_modules/@polysecret/vault'), {
      'package.json': JSON.stringify({ name: '@polysecret/vault', type: 'module', exports: './index.js' }),
      'index.js': "throw new Error('a dependency of the package is missing')\n",
    })
    await writeFiles(join(app, 'node_modules/@polysecret/azure'), {
      'package.json': JSON.stringify({
        name: '@polysecret/azure',
        exports: { '.': { require: './index.cjs' } },
      }),
    })
    const broken = await createManager({ secrets: [{ type: 'vault-kv' }] }, { resolveFrom: app }).catch(
      (e: unknown) => e,
    )
    expect(broken).toBeInstanceOf(ValidationError)
    expect((broken as ValidationError).message).toContain('Package @polysecret/vault is installed')
    expect((broken as ValidationError).message).toContain('failed to load')
    expect(((broken as ValidationError).cause as Error).message).toContain(
      'a dependency of the package is missing',
    )
    const requireOnly = await createManager(
      { secrets: [{ type: 'azure-key-vault' }] },
      { resolveFrom: app },
    ).catch((e: unknown) => e)
    expect(requireOnly).toBeInstanceOf(ValidationError)
    expect((requireOnly as ValidationError).message).toContain('@polysecret/azure')
    expect((requireOnly as ValidationError).message).toContain('has no entry point for import')
  })
})
