/**
 * The command registry. Adding a command is one file (`commands/<name>.ts` exporting `register`) and
 * one line here. Modules load only when their command runs (or for `help <name>` and `completion`),
 * so `polysecret --help` and `polysecret get` pay for nothing else.
 */
import type { CommandModule } from './command.js'

export interface CommandEntry {
  readonly name: string
  /** One line for `polysecret --help`, before the module is loaded. */
  readonly summary: string
  readonly load: () => Promise<CommandModule>
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'get', summary: 'read a key (secrets masked unless --reveal)', load: () => import('./get.js') },
  {
    name: 'set',
    summary: 'write a key; the value from stdin, a file or a hidden prompt',
    load: () => import('./set.js'),
  },
  { name: 'delete', summary: 'delete a key', load: () => import('./delete.js') },
  { name: 'list', summary: 'list keys with their kind and store', load: () => import('./list.js') },
  {
    name: 'classify',
    summary: 'say whether a key is a secret or a parameter, and why',
    load: () => import('./classify.js'),
  },
  { name: 'versions', summary: 'list the versions of a key', load: () => import('./versions.js') },
  { name: 'rollback', summary: 'make an old version of a key current', load: () => import('./rollback.js') },
  { name: 'rotate', summary: 'write a new (generated) version of a key', load: () => import('./rotate.js') },
  {
    name: 'validate',
    summary: 'check the configured stores against a schema module',
    load: () => import('./validate.js'),
  },
  {
    name: 'export',
    summary: 'print keys as dotenv, JSON or YAML (secrets only with --include-secrets)',
    load: () => import('./export.js'),
  },
  {
    name: 'import',
    summary: 'write keys from a dotenv, JSON or YAML file',
    load: () => import('./import.js'),
  },
  {
    name: 'migrate',
    summary: 'copy keys from one store to another (a plan first, --apply to copy)',
    load: () => import('./migrate.js'),
  },
  {
    name: 'diff',
    summary: 'compare two stores, or two versions of a key (values masked)',
    load: () => import('./diff.js'),
  },
  {
    name: 'doctor',
    summary: "check each store's health and the permissions it lacks",
    load: () => import('./doctor.js'),
  },
  {
    name: 'run',
    summary: 'run a command with the configuration in its environment',
    load: () => import('./run.js'),
  },
  {
    name: 'generate',
    summary: 'generate secrets from a spec (passwords, keys, certificates), create-once',
    load: () => import('./generate.js'),
  },
  {
    name: 'sync',
    summary: 'copy keys into Kubernetes Secrets in matching namespaces',
    load: () => import('./sync.js'),
  },
  {
    name: 'serve',
    summary: 'run the HTTP sidecar over the configured stores',
    load: () => import('./serve.js'),
  },
  {
    name: 'stats',
    summary: 'run a command and print the calls it made per store',
    load: () => import('./stats.js'),
  },
  {
    name: 'completion',
    summary: 'print a shell completion script (bash, zsh, fish)',
    load: () => import('./completion.js'),
  },
]
