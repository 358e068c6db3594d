import { AwsError, epochSeconds } from './json-protocol.js'
import type { SecretVersion, StoredSecret, VersionValue } from './secrets-manager-state.js'

/** Secrets Manager's error messages and response shapes, shared by the fake's operation modules. */

/** ResourceNotFoundException with AWS's wording. */
export const notFound = (what = "Secrets Manager can't find the specified secret.") =>
  new AwsError('ResourceNotFoundException', what)
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message)
export const invalidRequest = (message: string) => new AwsError('InvalidRequestException', message)
export const markedForDeletion = () =>
  invalidRequest("You can't perform this operation on the secret because it was marked for deletion.")

/** ClientRequestToken must be 32–64 characters (the model's length trait; AWS names the member). */
export function checkToken(token: unknown): void {
  if (token === undefined) return
  if (typeof token !== 'string' || token.length < 32 || token.length > 64) {
    throw invalidParameter('ClientRequestToken must be 32-64 characters long.')
  }
}

/** Whether a stored version holds exactly this value (the idempotency-token check). */
export function sameValue(version: SecretVersion, value: VersionValue): boolean {
  return version.secretString === value.secretString && version.secretBinary === value.secretBinary
}

/** Reads SecretString/SecretBinary from an input; exactly one may be present. */
export function valueFromInput(input: Record<string, any>): VersionValue | undefined {
  const hasString = input.SecretString !== undefined
  const hasBinary = input.SecretBinary !== undefined
  if (hasString && hasBinary) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    )
  }
  if (hasString) return { secretString: String(input.SecretString) }
  if (hasBinary) return { secretBinary: String(input.SecretBinary) }
  return undefined
}

/** SecretString or SecretBinary of a version, as response fields. */
export function valueFields(v: SecretVersion): Record<string, string> {
  return v.secretString !== undefined
    ? { SecretString: v.secretString }
    : { SecretBinary: v.secretBinary ?? '' }
}

/** A GetSecretValue response / BatchGetSecretValue entry. */
export function secretValueEntry(secret: StoredSecret, v: SecretVersion) {
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: v.versionId,
    ...valueFields(v),
    VersionStages: [...v.stages],
    CreatedDate: epochSeconds(v.createdDate),
  }
}

/** The fields ListSecrets and DescribeSecret share. */
export function listEntry(secret: StoredSecret) {
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description !== undefined && { Description: secret.description }),
    ...(secret.kmsKeyId !== undefined && { KmsKeyId: secret.kmsKeyId }),
    LastChangedDate: epochSeconds(secret.lastChangedDate),
    ...(secret.lastAccessedDate !== undefined && { LastAccessedDate: epochSeconds(secret.lastAccessedDate) }),
    ...(secret.deletedDate !== undefined && { DeletedDate: epochSeconds(secret.deletedDate) }),
    ...(secret.tags.length > 0 && { Tags: secret.tags }),
    CreatedDate: epochSeconds(secret.createdDate),
  }
}

/** Version id → staging labels, for labelled versions only (as AWS reports them). */
export function stagesMap(secret: StoredSecret): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const v of secret.versions.values()) if (v.stages.size > 0) out[v.versionId] = [...v.stages]
  return out
}

/** Throws `error`; lets `??` chains end in a throw. */
export function throwIt(error: Error): never {
  throw error
}
