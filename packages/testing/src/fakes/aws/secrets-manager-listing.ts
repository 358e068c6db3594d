import { type AwsOperation, checkLength, checkRange, epochSeconds, paginate } from './json-protocol.js'
import { checkFilters, matchesFilters, sortSecrets, type WireFilter } from './secrets-manager-filters.js'
import {
  invalidParameter,
  listEntry,
  markedForDeletion,
  notFound,
  secretValueEntry,
  stagesMap,
} from './secrets-manager-shapes.js'
import type { SecretsManagerState, StoredSecret } from './secrets-manager-state.js'

/**
 * The Secrets Manager calls that enumerate: versions of one secret, secrets of the account, and batch
 * reads. They share pagination (opaque tokens bound to the listing that issued them) and filters.
 */
export function secretsManagerListing(
  state: SecretsManagerState,
  find: (secretId: unknown) => StoredSecret,
): Record<string, AwsOperation> {
  return {
    ListSecretVersionIds(input) {
      checkRange(input.MaxResults, 'maxResults', 1, 100)
      const secret = find(input.SecretId)
      const versions = [...secret.versions.values()].filter(
        (v) => input.IncludeDeprecated || v.stages.size > 0,
      )
      const { page, NextToken } = paginate(versions, input, {
        scope: `versions:${secret.arn}:${Boolean(input.IncludeDeprecated)}`,
        defaultMax: 100,
        invalidTokenType: 'InvalidNextTokenException',
      })
      return {
        Versions: page.map((v) => ({
          VersionId: v.versionId,
          VersionStages: [...v.stages],
          ...(v.lastAccessedDate !== undefined && { LastAccessedDate: epochSeconds(v.lastAccessedDate) }),
          CreatedDate: epochSeconds(v.createdDate),
        })),
        ...(NextToken && { NextToken }),
        ARN: secret.arn,
        Name: secret.name,
      }
    },

    ListSecrets(input) {
      checkRange(input.MaxResults, 'maxResults', 1, 100)
      const filters: WireFilter[] | undefined = input.Filters
      checkFilters(filters)
      const selected = state
        .all()
        .filter(
          (s) => (input.IncludePlannedDeletion || s.deletedDate === undefined) && matchesFilters(s, filters),
        )
      const { page, NextToken } = paginate(sortSecrets(selected, input.SortBy, input.SortOrder), input, {
        scope: `list:${JSON.stringify([filters, input.IncludePlannedDeletion, input.SortBy, input.SortOrder])}`,
        defaultMax: 100,
        invalidTokenType: 'InvalidNextTokenException',
      })
      return {
        SecretList: page.map((s) => ({ ...listEntry(s), SecretVersionsToStages: stagesMap(s) })),
        ...(NextToken && { NextToken }),
      }
    },

    BatchGetSecretValue(input) {
      const ids: string[] | undefined = input.SecretIdList
      const filters: WireFilter[] | undefined = input.Filters
      if ((ids === undefined) === (filters === undefined)) {
        throw invalidParameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.")
      }
      checkLength(ids, 'secretIdList', 1, 20)
      checkRange(input.MaxResults, 'maxResults', 1, 20)
      if (ids !== undefined && input.MaxResults !== undefined) {
        throw invalidParameter(
          "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
        )
      }
      checkFilters(filters)
      const values: ReturnType<typeof secretValueEntry>[] = []
      const errors: { SecretId: string; ErrorCode: string; Message: string }[] = []
      const read = (id: string, secret: StoredSecret | undefined) => {
        // Per-secret failures are reported in Errors, not thrown: one bad id must not sink the batch.
        if (!secret)
          return errors.push({
            SecretId: id,
            ErrorCode: 'ResourceNotFoundException',
            Message: notFound().message,
          })
        if (secret.deletedDate !== undefined) {
          return errors.push({
            SecretId: id,
            ErrorCode: 'InvalidRequestException',
            Message: markedForDeletion().message,
          })
        }
        const current = state.versionWithStage(secret, 'AWSCURRENT')
        if (!current) {
          const message =
            "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"
          return errors.push({ SecretId: id, ErrorCode: 'ResourceNotFoundException', Message: message })
        }
        state.touch(secret, current)
        values.push(secretValueEntry(secret, current))
      }
      if (ids !== undefined) {
        for (const id of ids) read(id, state.find(id))
        return { SecretValues: values, Errors: errors }
      }
      const selected = sortSecrets(
        state.all().filter((s) => s.deletedDate === undefined && matchesFilters(s, filters)),
      )
      const { page, NextToken } = paginate(selected, input, {
        scope: `batch:${JSON.stringify(filters)}`,
        defaultMax: 20,
        invalidTokenType: 'InvalidNextTokenException',
      })
      for (const s of page) read(s.name, s)
      return { SecretValues: values, Errors: errors, ...(NextToken && { NextToken }) }
    },
  }
}
