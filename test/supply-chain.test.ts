/**
 * Supply chain: the dependency audit against a registry on loopback (an advisory fails the build, an
 * accepted one does not, a registry that refuses the endpoint is reported and passes), the CycloneDX
 * SBOMs (valid, complete, hashed from the lockfile, deterministic), and packages ready for npm
 * provenance. Tarball reproducibility runs in .ci/run (scripts/check-reproducible.mjs): it needs two builds.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { stopAfterEach } from './support/cleanup.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = promisify(execFile)
const defer = stopAfterEach()

async function script(name: string, args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [join(root, 'scripts', name), ...args], { cwd: root })
    return { code: 0, stdout }
  } catch (error) {
    const { code, stdout } = error as { code: number; stdout: string }
    return { code, stdout }
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of request) body += chunk
  return body
}

/** A registry on loopback that answers the bulk advisory endpoint with `answer`. */
async function registry(answer: { status: number; body?: unknown }) {
  const requests: { path: string; body: Record<string, string[]> }[] = []
  const server = createServer(async (request, response) => {
    requests.push({ path: request.url ?? '', body: JSON.parse(await readBody(request)) })
    response.writeHead(answer.status, { 'content-type': 'application/json' })
    response.end(answer.body === undefined ? '' : JSON.stringify(answer.body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  defer(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests }
}

const lockedYaml = async () => parseYaml(await readFile(join(root, 'pnpm-lock.yaml'), 'utf8'))
const lockedVersion = async (name: string) =>
  Object.keys((await lockedYaml()).packages)
    .find((id) => id.startsWith(`${name}@`))!
    .slice(name.length + 1)

describe('dependency audit (scripts/audit.mjs)', () => {
  const advisory = (severity: string, id: number) => ({
    'lru-cache': [
      {
        id,
        severity,
        title: 'Prototype pollution',
        url: `https://github.com/advisories/GHSA-${id}`,
        vulnerable_versions: '<99',
      },
    ],
  })

  it('sends every locked package version and fails on a high-severity advisory, naming it', async () => {
    const fake = await registry({ status: 200, body: advisory('high', 1001) })
    const { code, stdout } = await script('audit.mjs', ['--registry', fake.url])
    expect(code).toBe(1)
    expect(stdout).toContain('HIGH lru-cache <99: Prototype pollution')
    expect(fake.requests[0]!.path).toBe('/-/npm/v1/security/advisories/bulk')
    expect(fake.requests[0]!.body['lru-cache']).toContain(await lockedVersion('lru-cache'))
    expect(Object.keys(fake.requests[0]!.body).length).toBeGreaterThan(100)
  })

  it('passes on a moderate advisory, and on a high one accepted in the allow file', async () => {
    const moderate = await registry({ status: 200, body: advisory('moderate', 1002) })
    expect(await script('audit.mjs', ['--registry', moderate.url])).toMatchObject({ code: 0 })

    const dir = await mkdtemp(join(tmpdir(), 'audit-'))
    defer(() => rm(dir, { recursive: true, force: true }))
    const allow = join(dir, 'allow.json')
    await writeFile(
      allow,
      JSON.stringify({ 'https://github.com/advisories/GHSA-1003': 'not reachable from our code' }),
    )
    const high = await registry({ status: 200, body: advisory('critical', 1003) })
    const result = await script('audit.mjs', ['--registry', high.url, '--allow', allow])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('0 high or critical advisories')
  })

  it('a registry that refuses the endpoint is reported as skipped, and passes', async () => {
    const fake = await registry({ status: 405 })
    const { code, stdout } = await script('audit.mjs', ['--registry', fake.url])
    expect(code).toBe(0)
    expect(stdout).toMatch(/SKIPPED .* HTTP 405; \d+ package versions not checked/)
  })
})

describe('CycloneDX SBOMs (scripts/sbom.mjs)', () => {
  it('one valid SBOM per published package, complete, hashed from the lockfile, and the same twice', async () => {
    const out = await mkdtemp(join(tmpdir(), 'sbom-'))
    defer(() => rm(out, { recursive: true, force: true }))
    const first = await script('sbom.mjs', ['--check', '--out', out])
    expect(first.code).toBe(0)
    const files = (await readdir(out)).sort()
    expect(files).toEqual(expect.arrayContaining(['aws.cdx.json', 'core.cdx.json', 'vault.cdx.json']))

    const core = JSON.parse(await readFile(join(out, 'core.cdx.json'), 'utf8'))
    expect(core.specVersion).toBe('1.6')
    expect(core.metadata.component.purl).toBe('pkg:npm/%40polysecret/core@0.1.0')
    const manifest = JSON.parse(await readFile(join(root, 'packages/core/package.json'), 'utf8'))
    const names = core.components.map((c: { group?: string; name: string }) =>
      c.group ? `${c.group}/${c.name}` : c.name,
    )
    expect(names.sort()).toEqual(Object.keys(manifest.dependencies).sort())
    const lru = core.components.find((c: { name: string }) => c.name === 'lru-cache')
    const integrity = (await lockedYaml()).packages[`lru-cache@${lru.version}`].resolution.integrity as string
    expect(lru.hashes).toEqual([
      { alg: 'SHA-512', content: Buffer.from(integrity.slice(7), 'base64').toString('hex') },
    ])

    const aws = JSON.parse(await readFile(join(out, 'aws.cdx.json'), 'utf8'))
    const awsRef = aws.metadata.component['bom-ref']
    const direct = aws.dependencies.find((d: { ref: string }) => d.ref === awsRef).dependsOn
    expect(direct).toEqual(
      expect.arrayContaining([expect.stringMatching(/^@aws-sdk\/client-secrets-manager@/)]),
    )

    const before = await Promise.all(files.map((f) => readFile(join(out, f), 'utf8')))
    expect((await script('sbom.mjs', ['--out', out])).code).toBe(0)
    expect(await Promise.all(files.map((f) => readFile(join(out, f), 'utf8')))).toEqual(before)
  }, 60_000)
})

describe('packages ready for npm provenance', () => {
  it('every published package names its repository folder, publishes with provenance and ships its SBOM', async () => {
    const dirs = await readdir(join(root, 'packages'))
    let published = 0
    for (const dir of dirs) {
      const manifest = JSON.parse(await readFile(join(root, 'packages', dir, 'package.json'), 'utf8'))
      if (manifest.private) continue
      published++
      expect(manifest.repository).toMatchObject({ type: 'git', directory: `packages/${dir}` })
      expect(manifest.repository.url).toMatch(/^git\+https:\/\/github\.com\//)
      expect(manifest.publishConfig).toMatchObject({ access: 'public', provenance: true })
      expect(manifest.files).toContain('sbom.cdx.json')
      expect(manifest.license).toBe('MIT')
    }
    expect(published).toBeGreaterThanOrEqual(7)
  })
})
