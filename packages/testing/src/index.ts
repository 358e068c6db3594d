/**
 * `@polysecret/testing`: wire-level fakes of the stores polysecret talks to, fault injection, request
 * counting, and (from `@polysecret/testing/loopback-guard`) a guard that keeps tests off the network.
 */

export type { AwsFakeOptions } from './fakes/aws/json-protocol.js'
export {
  type SecretsManagerFake,
  type SecretsManagerFakeOptions,
  startSecretsManagerFake,
} from './fakes/aws/secrets-manager.js'
export {
  type SecretSeed,
  SecretsManagerState,
  type SecretValue,
  type SecretVersion,
  type StoredSecret,
} from './fakes/aws/secrets-manager-state.js'
export { type SsmFake, type SsmFakeOptions, startSsmFake } from './fakes/aws/ssm.js'
export {
  type ParameterSeed,
  type ParameterTier,
  type ParameterType,
  type ParameterVersion,
  SsmState,
  type StoredParameter,
} from './fakes/aws/ssm-state.js'
export {
  APP_CONFIG_ITEM_LIMIT,
  type AppConfigFake,
  type AppConfigFakeOptions,
  startAppConfigFake,
} from './fakes/azure/app-config.js'
export {
  type AppConfigSettingSeed,
  AppConfigState,
  FEATURE_FLAG_CONTENT_TYPE,
  FEATURE_FLAG_PREFIX,
  KEY_VAULT_REF_CONTENT_TYPE,
  type KeyValue as AppConfigKeyValue,
  keyVaultReference,
  type Snapshot as AppConfigSnapshot,
} from './fakes/azure/app-config-state.js'
export {
  type AuthFailure as AzureAuthFailure,
  FAKE_TENANT as AZURE_FAKE_TENANT,
  type FakeAccessToken,
  type FakeTokenCredential,
  type FakeTokenCredentialOptions,
  fakeTokenCredential,
} from './fakes/azure/auth.js'
export {
  KEY_VAULT_VALUE_LIMIT,
  type KeyVaultClientOptions,
  type KeyVaultFake,
  type KeyVaultFakeOptions,
  startKeyVaultFake,
} from './fakes/azure/key-vault.js'
export {
  type KeyVaultSecretSeed,
  KeyVaultState,
  type KvDeleted,
  type KvSecret,
  type KvVersion,
  type KvVersionSeed,
} from './fakes/azure/key-vault-state.js'
export type { AzureClientOptions, AzureFake, AzureFakeOptions } from './fakes/azure/server.js'
export {
  type DownMode,
  type FaultAction,
  type FaultDecision,
  type FaultScope,
  Faults,
  type InjectedError,
  type Latency,
} from './fakes/faults.js'
export { crc32c } from './fakes/gcp/crc32c.js'
export {
  type GcpParameterManagerFake,
  type ParameterManagerFakeOptions as GcpParameterManagerFakeOptions,
  startParameterManagerFake as startGcpParameterManagerFake,
} from './fakes/gcp/parameter-manager.js'
export {
  type GcpParameterSeed,
  type ParameterFormat as GcpParameterFormat,
  ParameterManagerState as GcpParameterManagerState,
} from './fakes/gcp/parameter-manager-state.js'
export {
  type GcpSecretManagerFake,
  SECRET_PAYLOAD_LIMIT as GCP_SECRET_PAYLOAD_LIMIT,
  type SecretManagerFakeOptions as GcpSecretManagerFakeOptions,
  startSecretManagerFake as startGcpSecretManagerFake,
} from './fakes/gcp/secret-manager.js'
export {
  type GcpSecretSeed,
  SecretManagerState as GcpSecretManagerState,
  type VersionState as GcpSecretVersionState,
} from './fakes/gcp/secret-manager-state.js'
export type { GcpClientOptions, GcpFake, GcpFakeOptions, GcpTransport } from './fakes/gcp/server.js'
export { GcpError, type StatusName as GcpStatusName } from './fakes/gcp/status.js'
export type { FakeServer, FakeServerOptions } from './fakes/http-server.js'
export type {
  ServiceAccountTokenRequest as KubernetesServiceAccountTokenRequest,
  TokenScope as KubernetesTokenScope,
} from './fakes/kubernetes/auth.js'
export { FAKE_KUBERNETES_VERSION } from './fakes/kubernetes/discovery.js'
export {
  type KubernetesFake,
  type KubernetesFakeOptions,
  startKubernetesFake,
} from './fakes/kubernetes/kubernetes.js'
export {
  decodeKubernetesProtobuf,
  encodeKubernetesProtobuf,
} from './fakes/kubernetes/protobuf.js'
export type { KubeObject, ManagedFieldsEntry, ObjectMeta } from './fakes/kubernetes/resources.js'
export {
  type ChangeEvent as KubernetesChangeEvent,
  type KubeObjectSeed,
  type KubernetesSeed,
  KubernetesState,
  type NamespaceSeed,
} from './fakes/kubernetes/state.js'
export type { KubeStatus } from './fakes/kubernetes/status.js'
export { MAX_OBJECT_DATA_BYTES } from './fakes/kubernetes/validation.js'
export type { Quota } from './fakes/quota.js'
export { type RecordedRequest, RequestLog } from './fakes/request-log.js'
/** A fresh self-signed certificate and its key (PEM), e.g. for `kubernetes.io/tls` Secrets in tests. */
export { type FakeCertificate, generateCertificate } from './fakes/tls.js'
export {
  type Token as VaultToken,
  type TokenOptions as VaultTokenOptions,
  VaultAuth,
} from './fakes/vault/auth.js'
export { CAS_MISMATCH as VAULT_CAS_MISMATCH, CAS_REQUIRED as VAULT_CAS_REQUIRED } from './fakes/vault/kv2.js'
export type { Capability as VaultCapability, PolicyRule as VaultPolicyRule } from './fakes/vault/policy.js'
export type { MountConfig as VaultMountConfig } from './fakes/vault/routes.js'
export { VaultState } from './fakes/vault/state.js'
export { startVaultFake, type VaultFake, type VaultFakeOptions } from './fakes/vault/vault.js'
export {
  type FaultRule,
  type InstrumentedProvider,
  type InstrumentOptions,
  instrument,
  type ProviderOperation,
} from './instrument.js'
export { type FakeServiceName, type FakeServices, fakeServiceNames, startFake } from './start-fake.js'
