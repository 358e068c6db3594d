/**
 * `pnpm bench`: runs every benchmark suite (or those named on the command line), writes
 * bench/results/<suite>.json and prints a summary. Benchmarks, not tests: nothing here fails a build.
 */
import { runAws } from './aws.js'
import { runAzure } from './azure.js'
import { runCore } from './core.js'
import { runEncryptedFile } from './encrypted-file.js'
import { runFleet } from './fleet.js'
import { runGcp } from './gcp.js'
import { runKubernetes } from './kubernetes.js'
import { runVault } from './vault.js'

const suites: Record<string, () => Promise<unknown>> = {
  core: runCore,
  'encrypted-file': runEncryptedFile,
  aws: runAws,
  kubernetes: runKubernetes,
  gcp: runGcp,
  azure: runAzure,
  vault: runVault,
  fleet: runFleet,
}
/** Suites too long for a plain `pnpm bench`: they run only when named. */
const onlyWhenNamed = new Set(['fleet'])
const wanted = process.argv.slice(2)
for (const [name, run] of Object.entries(suites)) {
  if (wanted.length ? !wanted.includes(name) : onlyWhenNamed.has(name)) continue
  await run()
}
