import {
  AwsError,
  type AwsFakeOptions,
  type AwsJsonFake,
  type AwsOperation,
  checkLength,
  checkRange,
  epochSeconds,
  paginate,
  required,
  startAwsJsonFake,
  validationError,
} from './json-protocol.js'
import { checkParameterFilters, matchesParameterFilters, type StringFilter } from './ssm-filters.js'
import {
  fakeCiphertext,
  type ParameterRef,
  type ParameterSeed,
  type ParameterTier,
  type ParameterType,
  type ParameterVersion,
  SsmState,
  type StoredParameter,
} from './ssm-state.js'

/**
 * A wire-level fake of AWS Systems Manager Parameter Store: the official `@aws-sdk/client-ssm` talks
 * to it unchanged. Covers the parameter calls (put/get/by-path/history/labels/delete/describe) with
 * SSM's rules for versions, labels, selectors, hierarchy and limits.
 */

/** Options of the SSM fake. */
export interface SsmFakeOptions extends AwsFakeOptions {
  /** Parameters to start with (same shape as `seed()`). */
  readonly parameters?: Readonly<Record<string, ParameterSeed>>
}

/** A running SSM Parameter Store fake (`fake.state.value('/app/url')` for assertions). */
export type SsmFake = AwsJsonFake<'aws-ssm', SsmState, Readonly<Record<string, ParameterSeed>>>

const TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString']
const LABEL_PATTERN = /^[a-zA-Z0-9_.-]+$/

const parameterNotFound = (name: string) => new AwsError('ParameterNotFound', `Parameter ${name} not found.`)
const versionNotFound = (name: string, version: number | string) =>
  new AwsError(
    'ParameterVersionNotFound',
    `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`,
  )

/** PSParameterName: "Length Constraints: Minimum length of 1. Maximum length of 2048." (API reference). */
const MAX_NAME_LENGTH = 2048

function checkNameLength(name: string, member: string): void {
  if (name.length >= 1 && name.length <= MAX_NAME_LENGTH) return
  throw validationError(
    `1 validation error detected: Value '${name}' at '${member}' failed to satisfy constraint: Member must have length ${name.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_NAME_LENGTH}`}`,
  )
}

/** The operation table of the fake, over `state`. */
export function ssmOperations(state: SsmState): Record<string, AwsOperation> {
  /** Finds the version a name/selector/ARN points to, with SSM's distinction of the two not-found errors. */
  const lookup = (
    input: string,
  ): { param: StoredParameter; version: ParameterVersion; ref: ParameterRef } => {
    const ref = state.parse(input)
    const param = state.get(ref.name)
    if (!param) throw parameterNotFound(input)
    const version = state.resolve(param, ref)
    if (version) return { param, version, ref }
    if (ref.selector && 'version' in ref.selector) throw versionNotFound(ref.name, ref.selector.version)
    // An unknown label reads as a missing parameter, not a missing version.
    throw parameterNotFound(input)
  }

  const shown = (param: StoredParameter, v: ParameterVersion, decrypt: boolean) =>
    v.type === 'SecureString' && !decrypt ? fakeCiphertext(param.name, v.version, v.value) : v.value

  const parameter = (param: StoredParameter, v: ParameterVersion, decrypt: boolean, ref?: ParameterRef) => ({
    Name: param.name,
    Type: v.type,
    Value: shown(param, v, decrypt),
    Version: v.version,
    ...(ref?.selectorText !== undefined && { Selector: ref.selectorText }),
    LastModifiedDate: epochSeconds(v.lastModifiedDate),
    ARN: state.arn(param.name),
    DataType: v.dataType,
  })

  const metadata = (param: StoredParameter, v: ParameterVersion) => ({
    Name: param.name,
    ARN: state.arn(param.name),
    Type: v.type,
    ...(v.keyId !== undefined && { KeyId: v.keyId }),
    LastModifiedDate: epochSeconds(v.lastModifiedDate),
    LastModifiedUser: state.user,
    ...(v.description !== undefined && { Description: v.description }),
    ...(v.allowedPattern !== undefined && { AllowedPattern: v.allowedPattern }),
    Version: v.version,
    Tier: v.tier,
    Policies: [],
    DataType: v.dataType,
  })

  const latest = (p: StoredParameter) => p.versions[p.versions.length - 1]!

  return {
    PutParameter(input) {
      const name = state.normalize(String(required(input.Name, 'name')))
      const value = String(required(input.Value, 'value'))
      state.checkName(name)
      if (value.length === 0) {
        throw validationError(
          "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1.",
        )
      }
      if (input.Overwrite && input.Tags?.length) {
        throw validationError(
          "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
        )
      }
      const existing = state.get(name)
      const previous = existing && latest(existing)
      if (previous && !input.Overwrite) {
        throw new AwsError(
          'ParameterAlreadyExists',
          'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
        )
      }
      const type: ParameterType | undefined = input.Type ?? previous?.type
      if (type === undefined)
        throw validationError('A parameter type is required when you create a parameter.')
      if (!TYPES.includes(type)) {
        throw validationError(
          `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
        )
      }
      if (previous && type !== previous.type && name.startsWith('/')) {
        throw new AwsError(
          'HierarchyTypeMismatchException',
          "Parameter Store doesn't support changing a parameter type in a hierarchy. For example, you can't change a parameter from a String type to a SecureString type. You must create a new, unique parameter.",
        )
      }
      const allowedPattern: string | undefined = input.AllowedPattern ?? previous?.allowedPattern
      if (allowedPattern !== undefined) {
        let pattern: RegExp
        try {
          pattern = new RegExp(allowedPattern)
        } catch {
          throw new AwsError(
            'InvalidAllowedPatternException',
            `The allowed pattern ${allowedPattern} is not valid.`,
          )
        }
        if (!pattern.test(value)) {
          throw new AwsError(
            'ParameterPatternMismatchException',
            `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`,
          )
        }
      }
      const requested: string = input.Tier ?? previous?.tier ?? 'Standard'
      const tier: ParameterTier =
        requested === 'Intelligent-Tiering'
          ? value.length > 4096
            ? 'Advanced'
            : 'Standard'
          : (requested as ParameterTier)
      if (value.length > (tier === 'Advanced' ? 8192 : 4096)) {
        throw validationError(
          tier === 'Standard'
            ? 'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.'
            : 'Advanced tier parameters support a maximum parameter value of 8192 characters.',
        )
      }
      const description: string | undefined = input.Description ?? previous?.description
      const keyId: string | undefined =
        type === 'SecureString' ? (input.KeyId ?? previous?.keyId ?? 'alias/aws/ssm') : undefined
      const version = state.addVersion(
        name,
        {
          value,
          type,
          tier,
          dataType: input.DataType ?? previous?.dataType ?? 'text',
          ...(description !== undefined && { description }),
          ...(allowedPattern !== undefined && { allowedPattern }),
          ...(keyId !== undefined && { keyId }),
        },
        input.Tags,
      )
      return { Version: version.version, Tier: version.tier }
    },

    GetParameter(input) {
      const name = String(required(input.Name, 'name'))
      checkNameLength(name, 'name')
      const { param, version, ref } = lookup(name)
      return { Parameter: parameter(param, version, Boolean(input.WithDecryption), ref) }
    },

    GetParameters(input) {
      const names: string[] = required(input.Names, 'names')
      checkLength(names, 'names', 1, 10)
      // A constraint on each member fails the whole call, like a name with a space (see normalize).
      for (const name of names) checkNameLength(String(name), 'names')
      const Parameters = []
      const InvalidParameters: string[] = []
      for (const name of new Set(names)) {
        try {
          const { param, version, ref } = lookup(name)
          Parameters.push(parameter(param, version, Boolean(input.WithDecryption), ref))
        } catch (error) {
          if (
            !(error instanceof AwsError) ||
            !['ParameterNotFound', 'ParameterVersionNotFound'].includes(error.type)
          )
            throw error
          InvalidParameters.push(name)
        }
      }
      // "The results for GetParameters requests are listed in alphabetical order" (API reference).
      Parameters.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))
      return { Parameters, InvalidParameters }
    },

    GetParametersByPath(input) {
      let path = state.normalize(String(required(input.Path, 'path')))
      if (!path.startsWith('/')) {
        throw validationError(
          'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
        )
      }
      checkRange(input.MaxResults, 'maxResults', 1, 10)
      const filters: StringFilter[] | undefined = input.ParameterFilters
      for (const f of filters ?? []) {
        // "The following Key values aren't supported for GetParametersByPath: tag, DataType, Name,
        // Path, and Tier." (API reference, ParameterFilters)
        if (!['Type', 'KeyId', 'Label'].includes(f.Key)) {
          throw new AwsError(
            'InvalidFilterKey',
            `The following filter key is not valid: ${f.Key}. Valid filter keys include: [Type, KeyId, Label].`,
          )
        }
      }
      checkParameterFilters(filters)
      if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
      const prefix = path === '/' ? '/' : `${path}/`
      const found = state
        .all()
        .filter(
          (p) => p.name.startsWith(prefix) && (input.Recursive || !p.name.slice(prefix.length).includes('/')),
        )
        .map((p) => {
          const label = filters?.find((f) => f.Key === 'Label')
          // With a Label filter the labelled version is returned, not the latest.
          const v = label
            ? p.versions.find((x) => x.labels.some((l) => label.Values?.includes(l)))
            : latest(p)
          return v &&
            matchesParameterFilters(
              p,
              v,
              filters?.filter((f) => f.Key !== 'Label'),
            )
            ? ([p, v] as const)
            : undefined
        })
        .filter((x) => x !== undefined)
      const { page, NextToken } = paginate(found, input, {
        scope: `path:${JSON.stringify([path, Boolean(input.Recursive), filters])}`,
        defaultMax: 10,
        invalidTokenType: 'InvalidNextToken',
      })
      return {
        Parameters: page.map(([p, v]) => parameter(p, v, Boolean(input.WithDecryption))),
        ...(NextToken && { NextToken }),
      }
    },

    GetParameterHistory(input) {
      const name = String(required(input.Name, 'name'))
      checkRange(input.MaxResults, 'maxResults', 1, 50)
      const param = state.get(state.parse(name).name) ?? throwIt(parameterNotFound(name))
      const { page, NextToken } = paginate(param.versions, input, {
        scope: `history:${param.name}`,
        defaultMax: 50,
        invalidTokenType: 'InvalidNextToken',
      })
      const Parameters = page.map((v) => {
        const { ARN: _arn, ...meta } = metadata(param, v)
        return { ...meta, Value: shown(param, v, Boolean(input.WithDecryption)), Labels: [...v.labels] }
      })
      return { Parameters, ...(NextToken && { NextToken }) }
    },

    LabelParameterVersion(input) {
      const name = state.normalize(String(required(input.Name, 'name')))
      const labels: string[] = required(input.Labels, 'labels')
      checkLength(labels, 'labels', 1, 10)
      const param = state.get(name) ?? throwIt(parameterNotFound(name))
      const number: number = input.ParameterVersion ?? latest(param).version
      const target =
        param.versions.find((v) => v.version === number) ?? throwIt(versionNotFound(name, number))
      const invalid: string[] = []
      const valid: string[] = []
      for (const label of labels) {
        if (label.length > 100) {
          throw validationError(
            `1 validation error detected: Value '[${label}]' at 'labels' failed to satisfy constraint: Member must have length less than or equal to 100`,
          )
        }
        const bad = /^(aws|ssm)/i.test(label) || /^\d/.test(label) || !LABEL_PATTERN.test(label)
        ;(bad ? invalid : valid).push(label)
      }
      const added = valid.filter((l) => !target.labels.includes(l))
      if (target.labels.length + added.length > 10) {
        throw new AwsError(
          'ParameterVersionLabelLimitExceeded',
          'A parameter version can have maximum 10 labels. Move one or more labels to another version and try again.',
        )
      }
      // A label names one version at a time: attaching it here detaches it everywhere else.
      for (const v of param.versions) if (v !== target) v.labels = v.labels.filter((l) => !added.includes(l))
      target.labels.push(...added)
      return { InvalidLabels: invalid, ParameterVersion: target.version }
    },

    UnlabelParameterVersion(input) {
      const name = state.normalize(String(required(input.Name, 'name')))
      const number = Number(required(input.ParameterVersion, 'parameterVersion'))
      const labels: string[] = required(input.Labels, 'labels')
      checkLength(labels, 'labels', 1, 10)
      const param = state.get(name) ?? throwIt(parameterNotFound(name))
      const target =
        param.versions.find((v) => v.version === number) ?? throwIt(versionNotFound(name, number))
      const removed = labels.filter((l) => target.labels.includes(l))
      target.labels = target.labels.filter((l) => !labels.includes(l))
      return { RemovedLabels: removed, InvalidLabels: labels.filter((l) => !removed.includes(l)) }
    },

    DeleteParameter(input) {
      const name = state.normalize(String(required(input.Name, 'name')))
      if (!state.delete(name)) throw parameterNotFound(name)
      return {}
    },

    DeleteParameters(input) {
      const names: string[] = required(input.Names, 'names')
      checkLength(names, 'names', 1, 10)
      const DeletedParameters: string[] = []
      const InvalidParameters: string[] = []
      for (const name of names) {
        ;(state.delete(state.normalize(name)) ? DeletedParameters : InvalidParameters).push(name)
      }
      return { DeletedParameters, InvalidParameters }
    },

    DescribeParameters(input) {
      checkRange(input.MaxResults, 'maxResults', 1, 50)
      // The legacy `Filters` (Name/Type/KeyId, exact values) map onto ParameterFilters with Equals.
      const legacy: StringFilter[] = (input.Filters ?? []).map((f: { Key: string; Values: string[] }) => ({
        Key: f.Key,
        Option: 'Equals',
        Values: f.Values,
      }))
      const filters: StringFilter[] = [...legacy, ...(input.ParameterFilters ?? [])]
      checkParameterFilters(filters)
      const found = state.all().filter((p) => matchesParameterFilters(p, latest(p), filters))
      const { page, NextToken } = paginate(found, input, {
        scope: `describe:${JSON.stringify(filters)}`,
        defaultMax: 50,
        invalidTokenType: 'InvalidNextToken',
      })
      return { Parameters: page.map((p) => metadata(p, latest(p))), ...(NextToken && { NextToken }) }
    },
  }
}

function throwIt(error: Error): never {
  throw error
}

/** Starts an SSM Parameter Store fake on 127.0.0.1 (random port). Prefer `startFake('aws-ssm')`. */
export async function startSsmFake(options: SsmFakeOptions = {}): Promise<SsmFake> {
  const state = new SsmState({
    now: options.now ?? Date.now,
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
  })
  return startAwsJsonFake(
    'aws-ssm',
    {
      targetPrefix: 'AmazonSSM',
      operations: ssmOperations(state),
      serverErrorType: 'InternalServerError',
    },
    state,
    { ...options, initial: options.parameters },
  )
}
