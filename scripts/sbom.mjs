#!/usr/bin/env node
/**
 * Writes a CycloneDX 1.6 SBOM for every published package: `packages/<name>/sbom.cdx.json`, shipped in
 * the tarball. It lists what a user installs with the package — its production dependency tree as pnpm
 * resolved it, each with its purl, license, and the lockfile's SHA-512 — and the dependency graph.
 *
 * Why not `@cyclonedx/cyclonedx-npm`: it reads `npm ls`, which cannot read a pnpm workspace's linked
 * layout. The BOM is built with the CycloneDX project's own library instead, from the installed tree
 * (resolved the way Node resolves it) and the lockfile's hashes. It is deterministic (no timestamp; the serial number is derived from the content), so two
 * builds give byte-identical SBOMs and tarballs (see scripts/check-reproducible.mjs).
 *
 * Usage: node scripts/sbom.mjs [--check] [--out DIR]
 *   --check validates every SBOM against the CycloneDX schema; --out writes `<DIR>/<package dir>.cdx.json`.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Contrib, Enums, Models, Serialize, Spec, Validation } from '@cyclonedx/cyclonedx-library'
import { PackageURL } from 'packageurl-js'
import { parse as parseYaml } from 'yaml'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const SPEC = Spec.Spec1dot6
const licenseFactory = new Contrib.License.Factories.LicenseFactory()

/** `name@version` → base64 SHA-512 integrity, from pnpm-lock.yaml's `packages:` section. */
function lockfileIntegrity() {
  const lock = parseYaml(readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8'))
  const integrity = new Map()
  for (const [id, info] of Object.entries(lock.packages ?? {})) {
    const sri = info?.resolution?.integrity
    if (typeof sri === 'string' && sri.startsWith('sha512-')) integrity.set(id, sri.slice(7))
  }
  return integrity
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'))
}

function purl(name, version) {
  const [namespace, bare] = name.startsWith('@') ? name.split('/') : [undefined, name]
  return new PackageURL('npm', namespace, bare, version, undefined, undefined)
}

function component(manifest, type = Enums.ComponentType.Library) {
  const [group, name] = manifest.name.startsWith('@') ? manifest.name.split('/') : [undefined, manifest.name]
  const licenses = new Models.LicenseRepository()
  if (typeof manifest.license === 'string') licenses.add(licenseFactory.makeFromString(manifest.license))
  const ref = `${manifest.name}@${manifest.version}`
  return new Models.Component(type, name, {
    group,
    version: manifest.version,
    bomRef: ref,
    purl: purl(manifest.name, manifest.version),
    licenses,
    description: manifest.description,
  })
}

/**
 * Where Node would load `name` from, seen from `dir`: the nearest `node_modules/<name>` walking up. With
 * pnpm's layout (each package's dependencies are its siblings in `.pnpm/<id>/node_modules`) this finds
 * exactly the version pnpm resolved for that dependent. Undefined for an optional dependency that is not
 * installed on this platform (fsevents on Linux).
 */
function locate(name, dir) {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, 'node_modules', name, 'package.json')
    if (existsSync(candidate)) return dirname(realpathSync(candidate))
    if (dirname(current) === current) return undefined
  }
}

/** The BOM of one package directory: its production dependencies, transitively. */
function bomFor(packageDir, integrity) {
  const bom = new Models.Bom()
  const self = readJson(join(packageDir, 'package.json'))
  bom.metadata.component = component(self, Enums.ComponentType.Library)
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Library, 'cyclonedx-library', {
      group: '@cyclonedx',
      version: readJson(join(root, 'node_modules/@cyclonedx/cyclonedx-library/package.json')).version,
    }),
  )
  const byDir = new Map()
  const visit = (parent, dir, manifest) => {
    const names = [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
    ]
    for (const name of new Set(names)) {
      const depDir = locate(name, dir)
      if (depDir === undefined) continue
      let node = byDir.get(depDir)
      if (node === undefined) {
        const depManifest = readJson(join(depDir, 'package.json'))
        node = component({ ...depManifest, name })
        const sha512 = integrity.get(`${name}@${depManifest.version}`)
        if (sha512)
          node.hashes.set(Enums.HashAlgorithm['SHA-512'], Buffer.from(sha512, 'base64').toString('hex'))
        byDir.set(depDir, node)
        bom.components.add(node)
        visit(node, depDir, depManifest)
      }
      parent.dependencies.add(node.bomRef)
    }
  }
  visit(bom.metadata.component, packageDir, self)
  // A serial number derived from the content: the same inputs always give the same document.
  const digest = createHash('sha256')
    .update(
      [...bom.components]
        .map((c) => c.bomRef.value)
        .sort()
        .join('\n'),
    )
    .update(`${self.name}@${self.version}`)
    .digest('hex')
  bom.serialNumber = `urn:uuid:${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-a${digest.slice(17, 20)}-${digest.slice(20, 32)}`
  return bom
}

export function publishedPackages() {
  return readdirSync(join(root, 'packages'))
    .map((dir) => join(root, 'packages', dir))
    .filter((dir) => {
      try {
        return readJson(join(dir, 'package.json')).private !== true
      } catch {
        return false
      }
    })
}

async function main() {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, out: { type: 'string' } } })
  const integrity = lockfileIntegrity()
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(SPEC))
  const validator = new Validation.JsonStrictValidator(SPEC.version)
  for (const packageDir of publishedPackages()) {
    const bom = bomFor(packageDir, integrity)
    const json = `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`
    const target = values.out
      ? join(values.out, `${basename(packageDir)}.cdx.json`)
      : join(packageDir, 'sbom.cdx.json')
    if (values.check) {
      const invalid = await validator.validate(json)
      if (invalid)
        throw new Error(
          `${target} does not validate against CycloneDX ${SPEC.version}: ${JSON.stringify(invalid)}`,
        )
    }
    writeFileSync(target, json)
    console.log(
      `${relative(root, target)}: ${bom.components.size} components${values.check ? ', valid' : ''}`,
    )
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`sbom: ${error.message}`)
    process.exit(1)
  })
}
