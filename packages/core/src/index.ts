/**
 * @polysecret/core — one typed, cached, leak-proof API for configuration and secrets in every store.
 *
 * @example
 * ```ts
 * import { ConfigManager, env, dotenv, encryptedFile } from '@polysecret/core'
 * const manager = new ConfigManager({
 *   secrets: [env(), encryptedFile({ path: '.polysecret/secrets.enc', passphrase: process.env.POLYSECRET_PASSPHRASE })],
 *   parameters: [env(), dotenv({ path: '.env' })],
 * })
 * ```
 * @packageDocumentation
 */
export { ConfigManager } from './config-manager.js'
export type { ConfigManagerOptions, ListedKey, ManyResult, ProviderHealth, ValueWithMetadata } from './config-manager.js'
export { createManager, configFromEnv, readConfigFile, registerProviderType } from './create-manager.js'
export type { ManagerConfig, ProviderConfig, ProviderFactory } from './create-manager.js'
export { createClassifier, detectSecretValue, splitWords, DEFAULT_SECRET_WORDS, DEFAULT_PARAMETER_SUFFIXES } from './classify.js'
export type { Classification, Classifier, ClassifyOptions } from './classify.js'
export type { CacheOptions, CacheState } from './cache.js'
export type { FallbackOptions, FallbackReason } from './chain.js'
export type { RetryOptions } from './retry.js'
export type { AccessEvent, AccessListener, AccessOperation, AccessOutcome } from './events.js'
export type { ReadOptions, ReadResult } from './read-engine.js'
export type { AnySchema, Infer } from './schema.js'
export { LiveConfig } from './live-config.js'
export type { ConfigChangeListener } from './live-config.js'
export type { ChangeListener, WatchOptions, Watcher } from './watch.js'
export type { RotateOptions, RotateResult, WriteOptions, WriteResult, WriteTarget } from './writes.js'
export * from './errors.js'
export * from './provider.js'
export { Secret, revealValue } from './secret.js'
export { scrubText, scrubError } from './scrub.js'
export { env, type EnvOptions } from './providers/env.js'
export { dotenv, type DotenvOptions } from './providers/dotenv.js'
export { jsonFile, type JsonFileOptions } from './providers/json-file.js'
export { yamlFile, type YamlFileOptions } from './providers/yaml-file.js'
export type { PlainFileOptions } from './providers/plain-file.js'
export { memory, type MemoryOptions } from './providers/memory.js'
export { encryptedFile, type EncryptedFileOptions, type EncryptedFileProvider } from './providers/encrypted-file.js'
export type { CredentialOptions } from './providers/encrypted-file-options.js'
export type { ScryptParams } from './providers/encrypted-file-format.js'
export { generate, generatePassword, generateBytes, generateUuid, generateKeyPair } from './generate.js'
export type { BytesOptions, GenerateSpec, KeyPair, KeyPairOptions, KeyPairType, PasswordOptions } from './generate.js'
