/**
 * Tests that start a real program from Debian's packages — `openssl`, `redis-server`, Chromium, zsh,
 * fish, `script` — run
 * only where it is installed, unless it is required. `.ci/run` installs all three and sets `CI=true`,
 * which makes a missing one a failure there; on a newcomer's machine with only Node and npm, those
 * suites are reported as skipped with the command that installs what they need, and every other test
 * runs. `POLYSECRET_SYSTEM_TESTS=require` demands them anywhere.
 *
 * @example
 * const redis = systemTool('redis-server')
 * describe.runIf(redis.run)('shares on Redis', () => { … })
 */
import { execFileSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'

const INSTALL: Record<string, string> = {
  openssl: 'apt-get install -y openssl',
  zsh: 'apt-get install -y zsh',
  fish: 'apt-get install -y fish',
  script: 'apt-get install -y bsdutils',
  'redis-server': 'apt-get install -y redis-server',
  chromium: 'apt-get install -y chromium',
}

const PATHS: Record<string, string | undefined> = {
  'redis-server': process.env.REDIS_SERVER,
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
}

function installed(name: string): boolean {
  const path = PATHS[name]
  if (path?.includes('/')) {
    try {
      accessSync(path, constants.X_OK)
      return true
    } catch {
      return false
    }
  }
  try {
    execFileSync('sh', ['-c', `command -v ${path ?? name}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const required = process.env.CI === 'true' || process.env.POLYSECRET_SYSTEM_TESTS === 'require'
const noticed = new Set<string>()

/** Whether the suites needing `name` run here; says once, on stderr, why not and how to fix it. */
export function systemTool(name: 'openssl' | 'redis-server' | 'chromium' | 'zsh' | 'fish' | 'script'): {
  readonly run: boolean
} {
  const present = installed(name)
  if (!present && !required && !noticed.has(name)) {
    noticed.add(name)
    process.stderr.write(
      `polysecret tests: ${name} is not installed, so the tests that start it are skipped here (CI runs them). Install it: ${INSTALL[name]}\n`,
    )
  }
  return { run: present || required }
}
