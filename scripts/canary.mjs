#!/usr/bin/env node
/**
 * `pnpm canary`: runs every leak-canary test (test/**\/*canary*.test.ts, packages/*\/test/**\/*canary*.test.ts)
 * with CANARY_REPORT pointing at a fresh temp directory, where each check of test/support/canary.ts
 * appends its counts. Sums them up per file and surface, writes bench/results/canary.json and the marked
 * section of docs/security.md, and prints the summary. Fails when a test fails, when a canary file
 * reported nothing (it did not use the shared helper), or when any occurrence was found.
 *
 * Usage: node scripts/canary.mjs [--no-write]   (extra arguments go to vitest)
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const BEGIN = '<!-- canary:begin -->'
const END = '<!-- canary:end -->'

/** Test files whose name holds "canary", under test/ and packages/*\/test/. */
function canaryFiles() {
  const found = []
  const walk = (dir) => {
    if (!existsSync(dir)) return
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist') continue
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (/canary.*\.test\.ts$/.test(name)) found.push(relative(root, path))
    }
  }
  walk(join(root, 'test'))
  for (const pkg of readdirSync(join(root, 'packages'))) walk(join(root, 'packages', pkg, 'test'))
  return found.sort()
}

function summarise(dir, files) {
  const perFile = {}
  for (const name of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean)) {
      const check = JSON.parse(line)
      perFile[check.file] ??= { checks: 0, places: 0, surfaces: {}, needles: 0, occurrences: 0 }
      const entry = perFile[check.file]
      entry.checks += 1
      entry.places += check.places
      entry.needles += check.needles
      entry.occurrences += check.occurrences
      for (const [surface, count] of Object.entries(check.surfaces))
        entry.surfaces[surface] = (entry.surfaces[surface] ?? 0) + count
      entry.encodings = check.encodings
    }
  }
  const silent = files.filter((f) => !perFile[f])
  const surfaces = {}
  for (const entry of Object.values(perFile))
    for (const [surface, count] of Object.entries(entry.surfaces))
      surfaces[surface] = (surfaces[surface] ?? 0) + count
  const sum = (key) => Object.values(perFile).reduce((n, e) => n + e[key], 0)
  return {
    files: Object.keys(perFile).length,
    checks: sum('checks'),
    places: sum('places'),
    occurrences: sum('occurrences'),
    encodings: ['raw', 'base64', 'base64url', 'hex', 'url', 'json'],
    surfaces: Object.fromEntries(Object.entries(surfaces).sort((a, b) => b[1] - a[1])),
    perFile,
    silent,
  }
}

function markdown(s) {
  const rows = Object.entries(s.perFile).map(
    ([file, e]) =>
      `| [${file.split('/').pop()}](../${file}) | ${e.checks} | ${e.places} | ${Object.keys(e.surfaces).length} | ${e.occurrences} |`,
  )
  const surfaces = Object.entries(s.surfaces)
    .map(([name, count]) => `${name} ${count}`)
    .join(' · ')
  return [
    BEGIN,
    `Last \`pnpm canary\`: **${s.places} places checked** in ${s.files} files (${s.checks} checks), each for every`,
    `needle in ${s.encodings.length} encodings (${s.encodings.join(', ')}; base64 at every byte offset):`,
    `**${s.occurrences} occurrences**.`,
    '',
    '| canary test | checks | places | surfaces | occurrences |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Places per surface: ${surfaces}.`,
    END,
  ].join('\n')
}

const write = !process.argv.includes('--no-write')
const passThrough = process.argv.slice(2).filter((a) => a !== '--no-write')
const files = canaryFiles()
const dir = mkdtempSync(join(tmpdir(), 'polysecret-canary-'))
try {
  const run = spawnSync('npx', ['vitest', 'run', ...files, ...passThrough], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, CANARY_REPORT: dir },
  })
  const summary = summarise(dir, files)
  console.log(
    `\nleak canary: ${summary.places} places checked on ${Object.keys(summary.surfaces).length} surfaces ` +
      `in ${summary.files} files, ${summary.occurrences} occurrences`,
  )
  for (const f of summary.silent)
    console.error(`leak canary: ${f} reported no check (use test/support/canary.ts)`)
  const ok = run.status === 0 && summary.silent.length === 0 && summary.occurrences === 0
  if (ok && write && passThrough.length === 0) {
    const { perFile, silent, ...totals } = summary
    writeFileSync(
      join(root, 'bench/results/canary.json'),
      `${JSON.stringify({ ...totals, perFile, at: new Date().toISOString() }, null, 2)}\n`,
    )
    const doc = join(root, 'docs/security.md')
    const text = readFileSync(doc, 'utf8')
    const from = text.indexOf(BEGIN)
    const to = text.indexOf(END)
    if (from < 0 || to < 0) throw new Error(`docs/security.md has no ${BEGIN} … ${END} section`)
    writeFileSync(doc, text.slice(0, from) + markdown(summary) + text.slice(to + END.length))
    console.log('leak canary: wrote bench/results/canary.json and docs/security.md')
  }
  process.exitCode = ok ? 0 : 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}
