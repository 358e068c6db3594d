import { createRandom } from '../random.js'
import {
  AwsError,
  type AwsFakeOptions,
  type AwsJsonFake,
  type AwsOperation,
  epochSeconds,
  required,
  startAwsJsonFake,
} from './json-protocol.js'
import { secretsManagerListing } from './secrets-manager-listing.js'
import {
  checkToken,
  invalidParameter,
  invalidRequest,
  listEntry,
  markedForDeletion,
  notFound,
  sameValue,
  secretValueEntry,
  stagesMap,
  throwIt,
  valueFromInput,
} from './secrets-manager-shapes.js'
import {
  type SecretSeed,
  SecretsManagerState,
  type SecretVersion,
  type StoredSecret,
  type VersionValue,
} from './secrets-manager-state.js'

/**
 * A wire-level fake of AWS Secrets Manager: the official `@aws-sdk/client-secrets-manager` talks to it
 * unchanged. It implements the calls polysecret and typical apps make, with AWS's rules for versions,
 * staging labels, idempotency tokens, pagination, batch limits and scheduled deletion.
 */

/** Options of the Secrets Manager fake. */
export interface SecretsManagerFakeOptions extends AwsFakeOptions {
  /** Secrets to start with (same shape as `seed()`). */
  readonly secrets?: Readonly<Record<string, SecretSeed>>
}

/** A running Secrets Manager fake (`fake.state.value('db')` for assertions). */
export type SecretsManagerFake = AwsJsonFake<
  'aws-secrets-manager',
  SecretsManagerState,
  Readonly<Record<string, SecretSeed>>
>

const NAME_PATTERN = /^[a-zA-Z0-9/_+=.@-]+$/

/** The operation table of the fake, over `state`. */
export function secretsManagerOperations(state: SecretsManagerState): Record<string, AwsOperation> {
  const find = (id: unknown) => state.find(String(required(id, 'secretId'))) ?? throwIt(notFound())
  const findLive = (id: unknown) => {
    const secret = find(id)
    if (secret.deletedDate !== undefined) throw markedForDeletion()
    return secret
  }

  /** PutSecretValue/UpdateSecret/CreateSecret share the token rules: same token + same value is a no-op. */
  const putVersion = (
    secret: StoredSecret,
    value: VersionValue,
    token: string | undefined,
    stages: string[],
  ) => {
    checkToken(token)
    const existing = token === undefined ? undefined : secret.versions.get(token)
    if (existing) {
      if (!sameValue(existing, value)) {
        throw new AwsError(
          'ResourceExistsException',
          "You can't modify an existing version, you can only create a new version.",
        )
      }
      return existing
    }
    return state.addVersion(secret, value, stages, token)
  }

  const ops: Record<string, AwsOperation> = {
    CreateSecret(input) {
      const name = String(required(input.Name, 'name'))
      if (name.length > 512 || !NAME_PATTERN.test(name)) {
        throw invalidParameter(
          'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
        )
      }
      const value = valueFromInput(input)
      const token: string | undefined = input.ClientRequestToken
      checkToken(token)
      const existing = state.find(name)
      if (existing) {
        if (existing.deletedDate !== undefined) {
          throw invalidRequest(
            "You can't create this secret because a secret with this name is already scheduled for deletion.",
          )
        }
        const same = token !== undefined && existing.versions.get(token)
        if (same && value && sameValue(same, value)) {
          return { ARN: existing.arn, Name: existing.name, VersionId: same.versionId }
        }
        if (same)
          throw new AwsError(
            'ResourceExistsException',
            "You can't modify an existing version, you can only create a new version.",
          )
        throw new AwsError(
          'ResourceExistsException',
          `The operation failed because the secret ${name} already exists.`,
        )
      }
      const secret = state.create(name, {
        ...(input.Description !== undefined && { description: String(input.Description) }),
        ...(input.KmsKeyId !== undefined && { kmsKeyId: String(input.KmsKeyId) }),
        tags: input.Tags ?? [],
      })
      const version = value ? state.addVersion(secret, value, ['AWSCURRENT'], token) : undefined
      return { ARN: secret.arn, Name: secret.name, ...(version && { VersionId: version.versionId }) }
    },

    GetSecretValue(input) {
      const secret = findLive(input.SecretId)
      let version: SecretVersion | undefined
      if (input.VersionId !== undefined) {
        version = secret.versions.get(input.VersionId)
        if (!version) {
          throw notFound(
            `Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId}`,
          )
        }
        // Both given but naming different versions: a bad request, not a missing value.
        if (input.VersionStage !== undefined && !version.stages.has(input.VersionStage)) {
          throw invalidRequest(
            'You provided a VersionStage that is not associated to the provided VersionId.',
          )
        }
      } else {
        const stage = input.VersionStage ?? 'AWSCURRENT'
        version = state.versionWithStage(secret, stage)
        if (!version)
          throw notFound(`Secrets Manager can't find the specified secret value for staging label: ${stage}`)
      }
      state.touch(secret, version)
      return secretValueEntry(secret, version)
    },

    PutSecretValue(input) {
      const secret = findLive(input.SecretId)
      const value =
        valueFromInput(input) ??
        throwIt(invalidParameter('You must provide either SecretString or SecretBinary.'))
      const version = putVersion(
        secret,
        value,
        input.ClientRequestToken,
        input.VersionStages ?? ['AWSCURRENT'],
      )
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        VersionStages: [...version.stages],
      }
    },

    UpdateSecret(input) {
      const secret = findLive(input.SecretId)
      if (input.Description !== undefined) secret.description = String(input.Description)
      if (input.KmsKeyId !== undefined) secret.kmsKeyId = String(input.KmsKeyId)
      secret.lastChangedDate = state.now()
      const value = valueFromInput(input)
      const version = value ? putVersion(secret, value, input.ClientRequestToken, ['AWSCURRENT']) : undefined
      return { ARN: secret.arn, Name: secret.name, ...(version && { VersionId: version.versionId }) }
    },

    UpdateSecretVersionStage(input) {
      const secret = findLive(input.SecretId)
      const stage = String(required(input.VersionStage, 'versionStage'))
      const { MoveToVersionId: to, RemoveFromVersionId: from } = input as Record<string, string | undefined>
      for (const id of [to, from]) {
        if (id !== undefined && !secret.versions.has(id))
          throw notFound(`Secrets Manager can't find the specified secret version: ${id}`)
      }
      if (from !== undefined && !secret.versions.get(from)!.stages.has(stage)) {
        throw invalidParameter(`The staging label ${stage} is not attached to the version ${from}.`)
      }
      const holder = state.versionWithStage(secret, stage)
      if (to !== undefined) {
        if (holder && holder.versionId !== to && from !== holder.versionId) {
          throw invalidParameter(
            `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
          )
        }
        state.attachStage(secret, stage, to)
      } else if (from !== undefined) {
        if (stage === 'AWSCURRENT') {
          throw invalidParameter(
            "You can't remove the staging label AWSCURRENT. Move it to another version instead.",
          )
        }
        secret.versions.get(from)!.stages.delete(stage)
        secret.lastChangedDate = state.now()
      } else {
        throw invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId, or both.')
      }
      return { ARN: secret.arn, Name: secret.name }
    },

    DescribeSecret(input) {
      const secret = find(input.SecretId)
      const { CreatedDate, ...rest } = listEntry(secret)
      return { ...rest, VersionIdsToStages: stagesMap(secret), CreatedDate }
    },

    ...secretsManagerListing(state, find),

    DeleteSecret(input) {
      const id = String(required(input.SecretId, 'secretId'))
      const force = Boolean(input.ForceDeleteWithoutRecovery)
      // The model defaults RecoveryWindowInDays to 0, so 0 and "absent" both mean the 30-day default.
      const days: number = input.RecoveryWindowInDays || 0
      if (force && days) {
        throw invalidParameter(
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        )
      }
      if (days && (days < 7 || days > 30)) {
        throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).')
      }
      const secret = state.find(id)
      if (!secret) {
        if (!force) throw notFound()
        // AWS quirk: a forced delete of a secret that does not exist succeeds (an idempotent purge),
        // answering with the name and an ARN it makes up.
        return { ARN: state.arnFor(id), Name: id, DeletionDate: epochSeconds(state.now()) }
      }
      const now = state.now()
      if (force) {
        state.remove(secret)
        return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(now) }
      }
      if (secret.deletedDate !== undefined) {
        throw invalidRequest(
          "You can't perform this operation on the secret because it was already scheduled for deletion.",
        )
      }
      secret.deletedDate = now
      secret.deletionDate = now + (days || 30) * 86_400_000
      return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(secret.deletionDate) }
    },

    RestoreSecret(input) {
      const secret = find(input.SecretId)
      delete secret.deletedDate
      delete secret.deletionDate
      return { ARN: secret.arn, Name: secret.name }
    },

    TagResource(input) {
      const secret = findLive(input.SecretId)
      for (const tag of required(input.Tags as StoredSecret['tags'], 'tags')) {
        secret.tags = [...secret.tags.filter((t) => t.Key !== tag.Key), tag]
      }
      return {}
    },

    UntagResource(input) {
      const secret = findLive(input.SecretId)
      const keys: string[] = required(input.TagKeys, 'tagKeys')
      secret.tags = secret.tags.filter((t) => !keys.includes(t.Key))
      return {}
    },
  }
  return ops
}

/** Starts a Secrets Manager fake on 127.0.0.1 (random port). Prefer `startFake('aws-secrets-manager')`. */
export async function startSecretsManagerFake(
  options: SecretsManagerFakeOptions = {},
): Promise<SecretsManagerFake> {
  const state = new SecretsManagerState({
    random: createRandom(options.seed),
    now: options.now ?? Date.now,
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
  })
  return startAwsJsonFake(
    'aws-secrets-manager',
    {
      targetPrefix: 'secretsmanager',
      operations: secretsManagerOperations(state),
      serverErrorType: 'InternalServiceError',
    },
    state,
    { ...options, initial: options.secrets },
  )
}
