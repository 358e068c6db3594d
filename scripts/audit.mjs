#!/usr/bin/env node
/**
 * Dependency audit: asks the registry's bulk advisory endpoint about every package version in
 * pnpm-lock.yaml and fails (exit 1) on a high or critical advisory. When the registry does not answer
 * that endpoint (some mirrors and proxies refuse it with 405, or the network is closed), it says so and
 * passes (exit 0): a check that cannot run must not block a build, but it must not pretend it ran.
 *
 * Accepted advisories go in `.audit-allow.json` as `{ "<advisory id or GHSA url>": "why it does not apply" }`.
 *
 * Usage: node scripts/audit.mjs [--registry URL] [--lockfile PATH] [--allow PATH]
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parse as parseYaml } from 'yaml'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const BLOCKING = new Set(['high', 'critical'])

const { values: args } = parseArgs({
  options: {
    registry: { type: 'string', default: process.env.npm_config_registry ?? 'https://registry.npmjs.org/' },
    lockfile: { type: 'string', default: resolve(root, 'pnpm-lock.yaml') },
    allow: { type: 'string', default: resolve(root, '.audit-allow.json') },
  },
})

/** `{ name: [versions] }` from the lockfile's `packages:` keys (`name@version`, `@scope/name@version`). */
function lockedVersions(path) {
  const lock = parseYaml(readFileSync(path, 'utf8'))
  const versions = {}
  for (const id of Object.keys(lock.packages ?? {})) {
    const at = id.lastIndexOf('@')
    if (at <= 0) continue
    const name = id.slice(0, at)
    const version = id.slice(at + 1).replace(/\(.*$/, '') // drop pnpm's peer suffix "(…)"
    versions[name] = [...(versions[name] ?? []), version]
  }
  return versions
}

async function main() {
  const versions = lockedVersions(args.lockfile)
  const count = Object.values(versions).reduce((n, v) => n + v.length, 0)
  const allowed = existsSync(args.allow) ? JSON.parse(readFileSync(args.allow, 'utf8')) : {}
  const url = new URL(
    '-/npm/v1/security/advisories/bulk',
    args.registry.endsWith('/') ? args.registry : `${args.registry}/`,
  )
  let response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(versions),
      signal: AbortSignal.timeout(30_000),
    })
  } catch (error) {
    console.log(
      `audit: SKIPPED — ${url.host} did not answer (${error.cause?.code ?? error.name}); ${count} package versions not checked.`,
    )
    return 0
  }
  if (response.status !== 200) {
    console.log(
      `audit: SKIPPED — ${url.host} answered the advisory endpoint with HTTP ${response.status}; ${count} package versions not checked.`,
    )
    return 0
  }
  const advisories = await response.json()
  const blocking = []
  let others = 0
  for (const [name, list] of Object.entries(advisories)) {
    for (const advisory of list) {
      const ids = [String(advisory.id), advisory.url].filter(Boolean)
      if (ids.some((id) => id in allowed)) continue
      if (BLOCKING.has(advisory.severity)) blocking.push({ name, ...advisory })
      else others++
    }
  }
  for (const a of blocking) {
    console.log(`  ${a.severity.toUpperCase()} ${a.name} ${a.vulnerable_versions}: ${a.title} (${a.url})`)
  }
  console.log(
    `audit: ${count} package versions checked; ${blocking.length} high or critical advisories, ${others} lower.`,
  )
  if (blocking.length > 0) {
    console.log(
      'Upgrade the packages above (pnpm update / overrides), or accept one in .audit-allow.json with the reason.',
    )
    return 1
  }
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    console.error(`audit: ${error.message}`)
    process.exitCode = 1
  },
)
