import type { Provider } from './provider.js'
import { dotenv } from './providers/dotenv.js'
import { encryptedFile } from './providers/encrypted-file.js'
import { type CredentialConfig, credentialsFromConfig } from './providers/encrypted-file-options.js'
import { env } from './providers/env.js'
import { jsonFile } from './providers/json-file.js'
import { memory } from './providers/memory.js'
import { yamlFile } from './providers/yaml-file.js'

type Options = Record<string, unknown>

/**
 * Credentials for an encrypted file named in a config file: never the passphrase itself in the file,
 * but the name of the environment variable holding it (`passphraseEnv`, `keyEnv`); without those,
 * `encryptedFile` itself reads `POLYSECRET_KEY` / `POLYSECRET_PASSPHRASE`.
 */
function encryptedFileFromConfig(options: Options): Provider {
  const { passphraseEnv, keyEnv, passphrase, key, ...rest } = options as Options & CredentialConfig
  const credentials = credentialsFromConfig(`encrypted-file "${String(rest.path)}"`, {
    passphraseEnv,
    keyEnv,
    passphrase,
    key,
  })
  return encryptedFile({ ...rest, ...credentials } as unknown as Parameters<typeof encryptedFile>[0])
}

/** Factories for the provider types core ships, as a declarative config names them. */
export const localProviderTypes: Readonly<Record<string, (options: Options) => Provider>> = Object.freeze({
  env: (o: Options) => env(o),
  dotenv: (o: Options) => dotenv(o as unknown as Parameters<typeof dotenv>[0]),
  'json-file': (o: Options) => jsonFile(o as unknown as Parameters<typeof jsonFile>[0]),
  'yaml-file': (o: Options) => yamlFile(o as unknown as Parameters<typeof yamlFile>[0]),
  memory: (o: Options) => {
    const { initial, ...rest } = o as { initial?: Record<string, string> }
    return memory(initial ?? {}, rest)
  },
  'encrypted-file': encryptedFileFromConfig,
})
