#!/usr/bin/env node
/**
 * Reproducible packages: packs every published package twice and fails unless the two tarballs of each
 * package are byte-identical. The first pack takes the build already in `dist/` (`pnpm build` ran
 * before, as in CI) without running scripts; the second rebuilds from source through `prepack`. So two
 * independent builds are compared, for the cost of one extra build.
 * A reviewer can then rebuild a release from the tagged source and compare its SHA-512 with the
 * registry's `dist.integrity`.
 *
 * Usage: pnpm build && node scripts/check-reproducible.mjs
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const pnpm = process.env.npm_execpath?.includes('pnpm')
  ? [process.execPath, process.env.npm_execpath]
  : ['pnpm']

function packAll(destination, { rebuild }) {
  const args = ['-r', '--filter', './packages/*', 'pack', '--pack-destination', destination]
  if (!rebuild) args.push('--config.ignore-scripts=true')
  execFileSync(pnpm[0], [...pnpm.slice(1), ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    // A fixed epoch for any tool that stamps times; pnpm itself already writes fixed mtimes.
    env: { ...process.env, SOURCE_DATE_EPOCH: '315532800' },
  })
  const digests = new Map()
  for (const name of readdirSync(destination).filter((f) => f.endsWith('.tgz'))) {
    digests.set(
      name,
      createHash('sha512')
        .update(readFileSync(join(destination, name)))
        .digest('base64'),
    )
  }
  return digests
}

const work = mkdtempSync(join(tmpdir(), 'polysecret-repro-'))
try {
  const first = packAll(join(work, 'first'), { rebuild: false })
  const second = packAll(join(work, 'second'), { rebuild: true })
  const differing = [...first].filter(([name, digest]) => second.get(name) !== digest).map(([name]) => name)
  for (const [name, digest] of first) {
    console.log(`${differing.includes(name) ? 'DIFFERS' : 'same   '} ${name} sha512-${digest.slice(0, 24)}…`)
  }
  if (first.size === 0 || first.size !== second.size)
    throw new Error('the two builds packed different sets of packages')
  if (differing.length > 0) {
    throw new Error(`not reproducible: ${differing.join(', ')} differ between two builds of the same source`)
  }
  console.log(`${first.size} packages: two builds, identical tarballs`)
} catch (error) {
  console.error(`check-reproducible: ${error.message}`)
  process.exitCode = 1
} finally {
  rmSync(work, { recursive: true, force: true })
}
