/**
 * Our packages the way users install them: `pnpm pack` of each package, `npm install` of the tarballs
 * into an empty project (third-party dependencies from the registry), then plain node runs the README
 * example as ESM and through require(), checks error identity across the ESM/CommonJS copies of core,
 * runs a CommonJS app against the Secrets Manager fake, and bundles the example with esbuild to run it
 * from a folder without node_modules. One pack + install for the whole file.
 */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { encryptedFile } from '@polysecret/core'
import {
  type FakeServices,
  type GcpSecretManagerFake,
  type KeyVaultFake,
  type SecretsManagerFake,
  startFake,
} from '@polysecret/testing'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCommonJs, installApp, packAll, readmeExample, runNode, writeFiles } from './support.js'

const PASSWORD = 'pw-from-the-encrypted-file'
const PASSPHRASE = 'packaging test passphrase'
const APPS = join(import.meta.dirname, 'apps')

let tarballs: string[]
let app: string

/** The README example plus one line that reports what it loaded (never the value itself). */
async function exampleProgram(): Promise<string> {
  const report =
    'console.log(JSON.stringify({ port: config.PORT, passwordMatches: config.DB_PASSWORD.reveal() === process.env.EXPECTED }))'
  return `${await readmeExample()}${report}\n`
}

/** What the README example needs in its working folder: `.env` and the encrypted store. */
async function seedExampleFolder(dir: string): Promise<void> {
  await writeFiles(dir, { '.env': 'PORT=8080\n' })
  const store = encryptedFile({
    path: join(dir, '.polysecret/secrets.enc'),
    passphrase: PASSPHRASE,
    scrypt: { N: 2 ** 10 },
  })
  await store.set('DB_PASSWORD', PASSWORD)
  await store.close?.()
}

const EXAMPLE_ENV = { POLYSECRET_PASSPHRASE: PASSPHRASE, EXPECTED: PASSWORD }

/** The example's two output lines: the Secret as console.log shows it, then the report. */
function expectExampleRan(result: { code: number; stdout: string; stderr: string }): void {
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const [printed, report] = result.stdout.trim().split('\n')
  expect(printed).toContain('[REDACTED]')
  expect(result.stdout).not.toContain(PASSWORD)
  expect(JSON.parse(report!)).toEqual({ port: 8080, passwordMatches: true })
}

beforeAll(async () => {
  tarballs = await packAll()
  app = await installApp(tarballs, ['zod@^4.1.0'])
  await seedExampleFolder(app)
  const esm = await exampleProgram()
  await writeFiles(app, { 'example.mjs': esm, 'example.cjs': asCommonJs(esm) })
  for (const script of [
    'identity.cjs',
    'fallback.cjs',
    'gcp-fallback.cjs',
    'gcp-require.cjs',
    'gcp-lazy.mjs',
    'azure-require.cjs',
    'azure-lazy.mjs',
    'kubernetes-require.cjs',
    'kubernetes-lazy.mjs',
    'vault-require.cjs',
    'vault-lazy.mjs',
  ])
    await copyFile(join(APPS, script), join(app, script))
}, 600_000)

afterAll(async () => {
  for (const dir of [app, tarballs?.[0] && dirname(tarballs[0])]) {
    if (dir) await rm(dir, { recursive: true, force: true })
  }
})

describe('pnpm pack', () => {
  it('packs every package with workspace: ranges rewritten to versions', async () => {
    expect(tarballs.map((t) => t.replace(/.*\//, '')).sort()).toEqual(
      [
        'polysecret-aws-0.1.0.tgz',
        'polysecret-azure-0.1.0.tgz',
        'polysecret-core-0.1.0.tgz',
        'polysecret-gcp-0.1.0.tgz',
        'polysecret-kubernetes-0.1.0.tgz',
        'polysecret-server-0.1.0.tgz',
        'polysecret-testing-0.1.0.tgz',
        'polysecret-vault-0.1.0.tgz',
        'polysecret-0.1.0.tgz',
      ].sort(),
    )
    const installed = JSON.parse(
      await readFile(join(app, 'node_modules/@polysecret/aws/package.json'), 'utf8'),
    ) as { dependencies: Record<string, string> }
    expect(installed.dependencies['@polysecret/core']).toBe('0.1.0')
    const core = JSON.parse(await readFile(join(app, 'node_modules/@polysecret/core/package.json'), 'utf8'))
    expect(JSON.stringify(core)).not.toContain('workspace:')
  })
})

describe('the README example, installed with npm', () => {
  it('runs as ESM', async () => {
    expectExampleRan(await runNode('example.mjs', app, EXAMPLE_ENV))
  })

  it('runs through require()', async () => {
    expectExampleRan(await runNode('example.cjs', app, EXAMPLE_ENV))
  })
})

describe('error identity across the ESM and CommonJS copies of core', () => {
  it('instanceof and isPolysecretError hold across copies; different classes stay different', async () => {
    const result = await runNode('identity.cjs', app)
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({
      twoCopies: true,
      esmInstanceofCjs: true,
      cjsInstanceofEsm: true,
      esmIsCjsBase: true,
      cjsIsEsmBase: true,
      esmIsError: true,
      isPolysecretErrorAcross: true,
      esmIsPolysecretErrorAcross: true,
      sameCode: true,
      notFoundIsNotAccessDenied: false,
      throttledIsNotUnavailable: false,
      plainErrorIsNotPolysecret: false,
    })
  })
})

describe('the polysecret binary, installed with npm', () => {
  it('reads Secrets Manager through the config file of the folder it runs in', async () => {
    const fake = await startFake('aws-secrets-manager', { secrets: { DB_PASSWORD: 'value-for-the-cli' } })
    try {
      const project = await mkdtemp(join(tmpdir(), 'polysecret-cli-project-'))
      const credentials = { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' }
      const config = {
        secrets: [{ type: 'aws-secrets-manager', endpoint: fake.endpoint, region: 'us-east-1', credentials }],
      }
      await writeFiles(project, { 'polysecret.config.json': JSON.stringify(config) })
      const bin = join(app, 'node_modules/polysecret/dist/bin.js')
      const { execFile } = await import('node:child_process')
      const get = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) =>
        execFile(
          process.execPath,
          [bin, 'get', 'DB_PASSWORD', '--reveal'],
          { cwd: project, env: { PATH: process.env.PATH } },
          (error, stdout, stderr) => resolve({ stdout, stderr, code: error ? Number(error.code) : 0 }),
        ),
      )
      expect(get).toEqual({ stdout: 'value-for-the-cli\n', stderr: '', code: 0 })
      await rm(project, { recursive: true, force: true })
    } finally {
      await fake.stop()
    }
  })
})

describe('a CommonJS app with createManager and @polysecret/aws (loaded as ESM)', () => {
  let fake: SecretsManagerFake
  beforeAll(async () => {
    fake = await startFake('aws-secrets-manager')
    fake.seed({ DB_PASSWORD: 'value-in-secrets-manager' })
  })
  afterAll(async () => {
    await fake.stop()
  })

  const read = async () => {
    fake.requests.reset()
    const result = await runNode('fallback.cjs', app, { SM_ENDPOINT: fake.endpoint })
    // stderr may hold the AWS SDK's Node-version notice; the app's report is on stdout.
    expect(result.code, result.stderr).toBe(0)
    return JSON.parse(result.stdout)
  }

  it('reads from Secrets Manager over the wire', async () => {
    fake.faults.clear()
    expect(await read()).toEqual({ outcome: 'value', provider: 'aws-secrets-manager' })
  })

  it('falls back to the next store when Secrets Manager is unavailable', async () => {
    fake.faults.clear()
    fake.faults.errorRate(1, { status: 500 })
    expect(await read()).toEqual({ outcome: 'value', provider: 'local' })
  })

  it('never falls back past access-denied', async () => {
    fake.faults.clear()
    fake.faults.errorRate(1, { status: 400, type: 'AccessDeniedException' })
    const report = await read()
    expect(report).toMatchObject({
      outcome: 'error',
      code: 'ACCESS_DENIED',
      instanceofAccessDenied: true,
      isPolysecretError: true,
      builtByCommonJsCore: false,
    })
    expect(report.tried.map((t: { provider: string }) => t.provider)).not.toContain('local')
    expect(fake.requests.count('GetSecretValue')).toBe(1)
  })
})

describe('a CommonJS app with createManager and @polysecret/gcp (loaded as ESM), over REST', () => {
  let fake: GcpSecretManagerFake
  beforeAll(async () => {
    fake = await startFake('gcp-secret-manager', { secrets: { DB_PASSWORD: 'value-in-secret-manager' } })
  })
  afterAll(async () => {
    await fake.stop()
  })
  const read = async () => {
    fake.requests.reset()
    const env = { GCP_PORT: String(new URL(fake.endpoint).port), EXPECTED: 'value-in-secret-manager' }
    const result = await runNode('gcp-fallback.cjs', app, env)
    expect(result.code, result.stderr).toBe(0)
    return JSON.parse(result.stdout)
  }

  it('reads from Secret Manager over the wire', async () => {
    fake.faults.clear()
    expect(await read()).toEqual({ outcome: 'value', provider: 'gcp-secret-manager', matches: true })
  })

  it('falls back when Secret Manager is unavailable, never past PERMISSION_DENIED', async () => {
    fake.faults.clear()
    fake.faults.errorRate(1, { type: 'UNAVAILABLE' })
    expect(await read()).toMatchObject({ outcome: 'value', provider: 'local' })
    fake.faults.clear()
    fake.faults.errorRate(1, { type: 'PERMISSION_DENIED' })
    const report = await read()
    expect(report).toMatchObject({
      outcome: 'error',
      code: 'ACCESS_DENIED',
      instanceofAccessDenied: true,
      isPolysecretError: true,
      builtByCommonJsCore: false,
    })
    expect(fake.requests.count('AccessSecretVersion')).toBe(1)
  })

  it("works through require(): the CommonJS build reads, and its errors are the CommonJS core's", async () => {
    fake.faults.clear()
    fake.seed({ DENIED: 'x' })
    fake.state.deny('DENIED')
    const env = { GCP_PORT: String(new URL(fake.endpoint).port), EXPECTED: 'value-in-secret-manager' }
    const result = await runNode('gcp-require.cjs', app, env)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      matches: true,
      deniedIsAccessDenied: true,
      deniedIsPolysecretError: true,
      deniedKey: 'DENIED',
    })
  })
})

describe('@polysecret/gcp bundled with esbuild, the Google clients left external', () => {
  let runDir: string
  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'polysecret-gcp-bundle-'))
    await build({
      entryPoints: [join(app, 'gcp-lazy.mjs')],
      outfile: join(runDir, 'bundle.mjs'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      external: ['@google-cloud/*'],
      logLevel: 'error',
    })
  }, 120_000)
  afterAll(async () => {
    await rm(runDir, { recursive: true, force: true })
  })

  it('imports and builds providers without the clients; the first call says what to install', async () => {
    const bundle = await readFile(join(runDir, 'bundle.mjs'), 'utf8')
    expect(bundle).toContain('import("@google-cloud/secret-manager")') // still a lazy import
    const result = await runNode('bundle.mjs', runDir)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      built: 'gcp-secret-manager',
      code: 'VALIDATION',
      isPolysecretError: true,
      hint: 'Install it next to @polysecret/gcp: npm i @google-cloud/secret-manager',
    })
  })
})

describe('@polysecret/azure through require(), over TLS', () => {
  let fake: KeyVaultFake
  beforeAll(async () => {
    fake = await startFake('azure-key-vault', {
      tokenKey: 'packaging-token-key',
      secrets: { 'db-password': 'value-in-key-vault', 'off-token': { value: 'x', enabled: false } },
    })
  })
  afterAll(async () => {
    await fake.stop()
  })

  it("the CommonJS build reads, and its errors are the CommonJS core's", async () => {
    const env = {
      AZURE_VAULT_URL: fake.vaultUrl,
      AZURE_CA: fake.ca,
      AZURE_TOKEN_KEY: 'packaging-token-key',
      EXPECTED: 'value-in-key-vault',
    }
    const result = await runNode('azure-require.cjs', app, env)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      matches: true,
      disabledIsAccessDenied: true,
      disabledIsSecretDisabled: true,
      disabledIsPolysecretError: true,
      disabledKey: 'OFF_TOKEN',
    })
  })
})

describe('@polysecret/azure bundled with esbuild, the Azure clients left external', () => {
  let runDir: string
  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'polysecret-azure-bundle-'))
    await build({
      entryPoints: [join(app, 'azure-lazy.mjs')],
      outfile: join(runDir, 'bundle.mjs'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      external: ['@azure/*'],
      logLevel: 'error',
    })
  }, 120_000)
  afterAll(async () => {
    await rm(runDir, { recursive: true, force: true })
  })

  it('imports and builds providers without the clients; the first call says what to install', async () => {
    const bundle = await readFile(join(runDir, 'bundle.mjs'), 'utf8')
    expect(bundle).toContain('import("@azure/keyvault-secrets")') // still a lazy import
    const result = await runNode('bundle.mjs', runDir)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      built: 'azure-key-vault',
      code: 'VALIDATION',
      isPolysecretError: true,
      hint: 'Install it next to @polysecret/azure: npm i @azure/keyvault-secrets',
    })
  })
})

describe('@polysecret/kubernetes in a CommonJS app (its CommonJS build, loading the ESM-only client)', () => {
  let fake: FakeServices['kubernetes']['fake']
  let volume: string
  beforeAll(async () => {
    fake = await startFake('kubernetes', {
      namespaces: ['apps'],
      secrets: { 'apps/db': { data: { password: 'value-in-kubernetes' } } },
    })
    volume = await mkdtemp(join(tmpdir(), 'polysecret-cjs-volume-'))
    await writeFiles(volume, { TOKEN: 'value-in-kubernetes' })
  })
  afterAll(async () => {
    await fake.stop()
    await rm(volume, { recursive: true, force: true })
  })

  it("reads through require(); its errors are the CommonJS core's; mountedFiles works there too", async () => {
    const env = {
      KUBECONFIG_DOC: fake.kubeconfig,
      DENIED_KUBECONFIG_DOC: fake.kubeconfigFor(fake.createToken({ namespaces: ['elsewhere'] })),
      VOLUME_DIR: volume,
      EXPECTED: 'value-in-kubernetes',
    }
    const result = await runNode('kubernetes-require.cjs', app, env)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      matches: true,
      deniedIsAccessDenied: true,
      deniedIsPolysecretError: true,
      deniedKey: 'db/password',
      volumeMatches: true,
    })
  })
})

describe('@polysecret/kubernetes bundled with esbuild, @kubernetes/client-node left external', () => {
  let runDir: string
  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'polysecret-kubernetes-bundle-'))
    await build({
      entryPoints: [join(app, 'kubernetes-lazy.mjs')],
      outfile: join(runDir, 'bundle.mjs'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      external: ['@kubernetes/client-node'],
      logLevel: 'error',
    })
  }, 120_000)
  afterAll(async () => {
    await rm(runDir, { recursive: true, force: true })
  })

  it('reads a mounted volume and builds providers without the client; the first API call says what to install', async () => {
    const bundle = await readFile(join(runDir, 'bundle.mjs'), 'utf8')
    expect(bundle).toContain('import("@kubernetes/client-node")') // still a lazy import
    const result = await runNode('bundle.mjs', runDir)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      volume: 'from-volume',
      built: 'kubernetes-secrets',
      code: 'VALIDATION',
      isPolysecretError: true,
      hint: 'Install it next to @polysecret/kubernetes: npm i @kubernetes/client-node',
    })
  })
})

describe('@polysecret/vault in a CommonJS app (its CommonJS build, node-vault over a real socket)', () => {
  let fake: FakeServices['vault']['fake']
  beforeAll(async () => {
    fake = await startFake('vault', { secrets: { 'secret/app/db': { password: 'value-in-vault' } } })
  })
  afterAll(async () => {
    await fake.stop()
  })

  it("logs in with AppRole and reads through require(); its errors are the CommonJS core's", async () => {
    fake.definePolicy('app', [{ path: 'secret/data/app/*', capabilities: ['read'] }])
    const { roleId, secretId } = fake.createAppRole({ policies: ['app'] })
    const env = {
      VAULT_ADDR: fake.endpoint,
      ROLE_ID: roleId,
      SECRET_ID: secretId,
      DENIED_TOKEN: fake.createToken({ policies: [] }),
      EXPECTED: 'value-in-vault',
    }
    const result = await runNode('vault-require.cjs', app, env)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      matches: true,
      deniedIsAccessDenied: true,
      deniedIsPolysecretError: true,
      deniedKey: 'app/db#password',
    })
  })
})

describe('@polysecret/vault bundled with esbuild, node-vault left external', () => {
  let runDir: string
  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'polysecret-vault-bundle-'))
    await build({
      entryPoints: [join(app, 'vault-lazy.mjs')],
      outfile: join(runDir, 'bundle.mjs'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      external: ['node-vault'],
      logLevel: 'error',
    })
  }, 120_000)
  afterAll(async () => {
    await rm(runDir, { recursive: true, force: true })
  })

  it('builds the provider without node-vault; the first call says what to install', async () => {
    const bundle = await readFile(join(runDir, 'bundle.mjs'), 'utf8')
    expect(bundle).toContain('import("node-vault")') // still a lazy import
    const result = await runNode('bundle.mjs', runDir)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      built: 'vault-kv',
      code: 'VALIDATION',
      isPolysecretError: true,
      hint: 'Install it next to @polysecret/vault: npm i node-vault',
    })
  })
})

describe('bundled with esbuild, run from a folder without node_modules', () => {
  let runDir: string
  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'polysecret-bundle-'))
    await seedExampleFolder(runDir)
    for (const [entry, format, out] of [
      ['example.mjs', 'esm', 'bundle.mjs'],
      ['example.cjs', 'cjs', 'bundle.cjs'],
    ] as const) {
      await build({
        entryPoints: [join(app, entry)],
        outfile: join(runDir, out),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format,
        logLevel: 'error',
      })
    }
  }, 120_000)
  afterAll(async () => {
    await rm(runDir, { recursive: true, force: true })
  })

  it('has nothing to resolve packages from', async () => {
    await writeFiles(runDir, {
      'resolve.cjs': `for (const name of ['zod', '@polysecret/core', 'lru-cache', 'yaml']) {
  try { require.resolve(name); console.log('found', name) } catch { console.log('missing', name) }
}`,
    })
    const result = await runNode('resolve.cjs', runDir)
    expect(result.stdout.trim().split('\n')).toEqual([
      'missing zod',
      'missing @polysecret/core',
      'missing lru-cache',
      'missing yaml',
    ])
  })

  it.each(['bundle.mjs', 'bundle.cjs'])('%s runs the README example', async (bundle) => {
    // stderr stays empty: no "lru-cache could not be loaded" warning, no missing module.
    expectExampleRan(await runNode(bundle, runDir, EXAMPLE_ENV))
  })
})
