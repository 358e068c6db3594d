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

export { withSignal } from './abortable.js'
export type { CacheOptions, CacheState, CacheTimers } from './cache.js'
export type { FallbackOptions, FallbackReason } from './chain.js'
export type { Classification, Classifier, ClassifyOptions } from './classify.js'
export {
  createClassifier,
  DEFAULT_PARAMETER_SUFFIXES,
  DEFAULT_SECRET_WORDS,
  detectSecretValue,
  keyWords,
  splitWords,
} from './classify.js'
export type {
  ConfigManagerOptions,
  ListedKey,
  ManyResult,
  ProviderHealth,
  ValueWithMetadata,
} from './config-manager.js'
export { ConfigManager } from './config-manager.js'
export type {
  CreateManagerOptions,
  ManagerConfig,
  ProviderConfig,
  ProviderFactory,
} from './create-manager.js'
export { configFromEnv, createManager, readConfigFile, registerProviderType } from './create-manager.js'
export * from './errors.js'
export type { AccessEvent, AccessListener, AccessOperation, AccessOutcome } from './events.js'
export type { AuditLogger, AuditOption, AuditOptions, AuditRecord } from './gate/audit.js'
export type { LimitsOption, ProviderLimits } from './gate/limits.js'
export type { ManagerStats, ProviderOperation, ProviderStats } from './gate/stats.js'
export type { TelemetryOption } from './gate/telemetry.js'
export type { Timers } from './gate/timers.js'
export type {
  BytesOptions,
  GenerateSpec,
  IntegerOptions,
  KeyPair,
  KeyPairOptions,
  KeyPairType,
  PasswordOptions,
  StringOptions,
  SymmetricKeyOptions,
} from './generate.js'
export {
  generate,
  generateBytes,
  generateInteger,
  generateKeyPair,
  generatePassword,
  generateString,
  generateSymmetricKey,
  generateUuid,
} from './generate.js'
export { formatGenerateReport } from './generation/report.js'
export type {
  GenerateOptions,
  GenerateReport,
  GenerateStatus,
  GenerateTargetResult,
} from './generation/run.js'
export type {
  CertificateAuthority,
  CertificateGenerator,
  CertificateSubject,
  CsrGenerator,
  GenerationSpec,
  GeneratorSpec,
  KeyTemplateSpec,
} from './generation/spec.js'
export { loadGenerationSpec } from './generation/spec.js'
export {
  type GenerateRun,
  type RenderOptions,
  renderGenerationSpec,
  runGenerate,
} from './generation/standalone.js'
export type { FieldKey, KeyMapping } from './key-mapping.js'
export { IDENTITY_KEY_MAPPING, resolveKeyMapping, selectJsonField, splitFieldKey } from './key-mapping.js'
export type { LazyClient, LazyClientSetup } from './lazy-client.js'
export { assertValidOptions, lazyClient } from './lazy-client.js'
export type { ConfigChangeListener } from './live-config.js'
export { type Live, LiveConfig } from './live-config.js'
export { mapLimit } from './map-limit.js'
export { revealConfig } from './masked-config.js'
export { isUndecodableAnswer, NETWORK_ERROR_CODES } from './network-errors.js'
export * from './provider.js'
export { type DotenvOptions, dotenv } from './providers/dotenv.js'
export {
  type EncryptedFileOptions,
  type EncryptedFileProvider,
  encryptedFile,
} from './providers/encrypted-file.js'
export type { ScryptParams } from './providers/encrypted-file-format.js'
export type { CredentialOptions } from './providers/encrypted-file-options.js'
export { type EnvOptions, env } from './providers/env.js'
export { type JsonFileOptions, jsonFile } from './providers/json-file.js'
export { type MemoryOptions, memory } from './providers/memory.js'
export type { PlainFileOptions } from './providers/plain-file.js'
export { type YamlFileOptions, yamlFile } from './providers/yaml-file.js'
export type { ReadOptions, ReadResult, StaleReason } from './read-record.js'
export type { RetryOptions } from './retry.js'
export type { AnySchema, Infer } from './schema.js'
export { scrubText } from './scrub.js'
export { scrubError, sealError } from './scrub-error.js'
export { revealValue, Secret } from './secret.js'
export type { SnapshotConfig, SnapshotOptions } from './snapshot/options.js'
export type {
  RunningSync,
  SyncRunOptions,
  SyncSpecData,
  SyncTarget,
  SyncTargetFactory,
} from './sync.js'
export type { RotateOptions, RotateResult } from './versions.js'
export type { ChangeListener, Watcher, WatchOptions } from './watch.js'
export type { WriteOptions, WriteResult, WriteTarget } from './writes.js'
