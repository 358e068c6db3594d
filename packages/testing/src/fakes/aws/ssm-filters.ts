import { AwsError } from './json-protocol.js'
import type { ParameterVersion, StoredParameter } from './ssm-state.js'

/**
 * SSM `ParameterStringFilter` matching for DescribeParameters and GetParametersByPath. Filters are
 * ANDed; the values of one filter are ORed.
 */

/** A `ParameterStringFilter` as it arrives on the wire. */
export interface StringFilter {
  Key: string
  Option?: string
  Values?: string[]
}

const OPTIONS: Record<string, readonly string[]> = {
  Name: ['Equals', 'BeginsWith', 'Contains'],
  Path: ['OneLevel', 'Recursive'],
  Type: ['Equals'],
  KeyId: ['Equals'],
  DataType: ['Equals'],
  Tier: ['Equals'],
  Label: ['Equals'],
}

function check(filter: StringFilter): string {
  const allowed = filter.Key.startsWith('tag:') ? ['Equals'] : OPTIONS[filter.Key]
  if (!allowed) throw new AwsError('InvalidFilterKey', `The following filter key is not valid: ${filter.Key}`)
  const option = filter.Option ?? allowed[0]!
  if (!allowed.includes(option)) {
    throw new AwsError(
      'InvalidFilterOption',
      `The following filter option is not valid: ${option}. Valid options include: [${allowed.join(', ')}].`,
    )
  }
  return option
}

function matchesOne(param: StoredParameter, v: ParameterVersion, filter: StringFilter): boolean {
  const option = check(filter)
  const values = filter.Values ?? []
  const equalsAny = (actual: string | undefined) => actual !== undefined && values.includes(actual)
  if (filter.Key.startsWith('tag:')) {
    const tag = param.tags.find((t) => t.Key === filter.Key.slice(4))
    return tag !== undefined && (values.length === 0 || values.includes(tag.Value))
  }
  switch (filter.Key) {
    case 'Name':
      return values.some((value) =>
        option === 'BeginsWith'
          ? param.name.startsWith(value)
          : option === 'Contains'
            ? param.name.includes(value)
            : param.name === value,
      )
    case 'Path':
      return values.some((value) => {
        const prefix = value === '/' ? '/' : `${value.replace(/\/$/, '')}/`
        if (!param.name.startsWith(prefix)) return false
        return option === 'Recursive' || !param.name.slice(prefix.length).includes('/')
      })
    case 'Type':
      return equalsAny(v.type)
    case 'KeyId':
      return equalsAny(v.keyId)
    case 'DataType':
      return equalsAny(v.dataType)
    case 'Tier':
      return equalsAny(v.tier)
    case 'Label':
      return param.versions.some((x) => x.labels.some((l) => values.includes(l)))
    default:
      return false
  }
}

/** Whether a parameter (at version `v`) passes every filter. Throws InvalidFilterKey/Option on bad input. */
export function matchesParameterFilters(
  param: StoredParameter,
  v: ParameterVersion,
  filters: readonly StringFilter[] | undefined,
): boolean {
  return (filters ?? []).every((f) => matchesOne(param, v, f))
}

/** Validates filter keys and options up front, so bad filters fail even when nothing would match. */
export function checkParameterFilters(filters: readonly StringFilter[] | undefined): void {
  for (const f of filters ?? []) check(f)
}
