import { compileFilter } from './filter.js'
import { paginate } from './pagination.js'
import {
  type GcpParameterSeed,
  type ParameterFormat,
  ParameterManagerState,
  type StoredParameter,
  type StoredParameterVersion,
} from './parameter-manager-state.js'
import { checkPayload, render } from './parameter-render.js'
import type { GcpSecretManagerFake } from './secret-manager.js'
import type { Project } from './secret-manager-names.js'
import { type GcpFake, type GcpFakeOptions, startGcpFake } from './server.js'
import type { GcpHandler } from './service.js'
import { alreadyExists, failedPrecondition, GcpError, invalidArgument, notFound } from './status.js'
import { timestamp } from './timestamp.js'

/**
 * A wire-level fake of Google Cloud Parameter Manager (v1) over gRPC and REST, for the official
 * `@google-cloud/parametermanager` client: parameters with a format, named versions with `disabled`,
 * BASIC/FULL views, and RenderParameterVersion resolving `__REF__(…)` secret references through a linked
 * Secret Manager fake.
 */

export interface ParameterManagerFakeOptions extends GcpFakeOptions {
  /** Parameters to start with, by parameter id. */
  readonly parameters?: Readonly<Record<string, GcpParameterSeed>>
  /** The Secret Manager fake references render from. Without one, rendering a reference is NOT_FOUND. */
  readonly secretManager?: GcpSecretManagerFake
  /** The project number responses name resources by. Default: `314159265358`. */
  readonly projectNumber?: string
}

export type GcpParameterManagerFake = GcpFake<
  'gcp-parameter-manager',
  ParameterManagerState,
  Readonly<Record<string, GcpParameterSeed>>
>

const ID = /^[a-zA-Z0-9_-]{1,255}$/
const NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/parameters\/([^/]+)(?:\/versions\/([^/]+))?$/
const PARENT = /^projects\/([^/]+)\/locations\/([^/]+)$/
const FORMATS = new Set(['UNFORMATTED', 'JSON', 'YAML'])

function camel(path: string): string {
  return path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
}

export function parameterManagerHandlers(
  state: ParameterManagerState,
  project: Project,
  secretManager: GcpSecretManagerFake | undefined,
): Record<string, GcpHandler> {
  const checkProject = (given: string, name: string, permission: string) => {
    if (given !== project.id && given !== project.number)
      throw new GcpError(
        'PERMISSION_DENIED',
        `Permission '${permission}' denied on resource '${name}' (or it may not exist).`,
      )
  }
  const parentOf = (parent: unknown, permission: string): string => {
    const m = typeof parent === 'string' ? PARENT.exec(parent) : null
    if (!m) throw invalidArgument(`parent "${String(parent ?? '')}" does not match projects/*/locations/*.`)
    checkProject(m[1]!, parent as string, permission)
    return m[2]!
  }
  const nameOf = (p: StoredParameter) =>
    `projects/${project.number}/locations/${p.location}/parameters/${p.id}`
  const findParameter = (name: unknown, permission: string, version = false) => {
    const m = typeof name === 'string' ? NAME.exec(name) : null
    if (!m || (m[4] !== undefined) !== version) {
      const form = version
        ? 'projects/*/locations/*/parameters/*/versions/*'
        : 'projects/*/locations/*/parameters/*'
      throw invalidArgument(`name "${String(name ?? '')}" does not match ${form}.`)
    }
    checkProject(m[1]!, name as string, permission)
    const parameter = state.find(m[2]!, m[3]!)
    if (!parameter)
      throw notFound(`Parameter [projects/${project.number}/locations/${m[2]}/parameters/${m[3]}] not found.`)
    return { parameter, versionId: m[4] }
  }
  const findVersion = (name: unknown, permission: string) => {
    const { parameter, versionId } = findParameter(name, permission, true)
    const version = parameter.versions.get(versionId!)
    if (!version) throw notFound(`Parameter version [${nameOf(parameter)}/versions/${versionId}] not found.`)
    return { parameter, version }
  }
  const parameterMessage = (p: StoredParameter) => ({
    name: nameOf(p),
    createTime: timestamp(p.createTime),
    updateTime: timestamp(p.updateTime),
    labels: p.labels,
    format: p.format,
    policyMember: {
      iamPolicyUidPrincipal: `principal://parametermanager.googleapis.com/projects/${project.number}/uid/locations/${p.location}/parameters/${p.id}`,
    },
    ...(p.kmsKey !== undefined && { kmsKey: p.kmsKey }),
  })
  const versionMessage = (p: StoredParameter, v: StoredParameterVersion, full: boolean) => ({
    name: `${nameOf(p)}/versions/${v.id}`,
    createTime: timestamp(v.createTime),
    updateTime: timestamp(v.updateTime),
    disabled: v.disabled,
    // A disabled version is metadata only: BASIC view whatever was asked.
    ...(full && !v.disabled && { payload: { data: v.data } }),
  })
  const resolveReference = (name: string): Buffer => {
    if (!secretManager)
      throw notFound(
        `Secret referenced by the parameter version was not found: ${name} (no Secret Manager fake is linked).`,
      )
    return secretManager.access(name)
  }

  return {
    CreateParameter(request) {
      const location = parentOf(request.parent, 'parametermanager.parameters.create')
      const id = request.parameterId
      if (typeof id !== 'string' || !ID.test(id))
        throw invalidArgument(
          'parameter_id must be 1 to 255 letters, numerals, hyphens (-) or underscores (_).',
        )
      if (state.find(location, id))
        throw alreadyExists(
          `Parameter [projects/${project.number}/locations/${location}/parameters/${id}] already exists.`,
        )
      const body = request.parameter ?? {}
      const format =
        body.format === undefined || body.format === 'PARAMETER_FORMAT_UNSPECIFIED'
          ? 'UNFORMATTED'
          : body.format
      if (!FORMATS.has(format)) throw invalidArgument(`Unknown parameter format ${format}.`)
      return parameterMessage(
        state.create(location, id, {
          format: format as ParameterFormat,
          labels: body.labels ?? {},
          kmsKey: body.kmsKey,
        }),
      )
    },

    GetParameter(request) {
      return parameterMessage(findParameter(request.name, 'parametermanager.parameters.get').parameter)
    },

    UpdateParameter(request) {
      const { parameter } = findParameter(request.parameter?.name, 'parametermanager.parameters.update')
      const paths: string[] = (request.updateMask?.paths ?? []).map(camel)
      // AIP-134: without a mask, every field the request carries is updated.
      const fields = paths.length
        ? paths
        : ['labels', 'format', 'kmsKey'].filter((f) => request.parameter?.[f] !== undefined)
      for (const field of fields) {
        if (field === 'labels') parameter.labels = { ...request.parameter.labels }
        else if (field === 'format') {
          if (!FORMATS.has(request.parameter.format))
            throw invalidArgument(`Unknown parameter format ${request.parameter.format}.`)
          parameter.format = request.parameter.format
        } else if (field === 'kmsKey') parameter.kmsKey = request.parameter.kmsKey
        else throw invalidArgument(`Field "${field}" of a parameter cannot be updated.`)
      }
      parameter.updateTime = state.now()
      return parameterMessage(parameter)
    },

    DeleteParameter(request) {
      const { parameter } = findParameter(request.name, 'parametermanager.parameters.delete')
      if (parameter.versions.size)
        throw failedPrecondition(
          `Parameter [${nameOf(parameter)}] has ${parameter.versions.size} version(s); delete them first.`,
        )
      state.remove(parameter)
      return {}
    },

    ListParameters(request) {
      const location = parentOf(request.parent, 'parametermanager.parameters.list')
      const matches = compileFilter(request.filter, (p: StoredParameter) => (path) => {
        if (path === 'name') return { kind: 'text', value: nameOf(p) }
        if (path === 'format') return { kind: 'text', value: p.format }
        if (path === 'create_time') return { kind: 'time', value: p.createTime }
        if (path === 'labels') return { kind: 'map', value: p.labels }
        if (path.startsWith('labels.')) return { kind: 'text', value: p.labels[path.slice(7)] }
        return undefined
      })
      const selected = state.list(location).filter(matches)
      const { page, nextPageToken } = paginate(
        selected,
        request,
        `parameters:${location}:${request.filter ?? ''}`,
      )
      return { parameters: page.map(parameterMessage), nextPageToken, unreachable: [] }
    },

    async CreateParameterVersion(request) {
      const { parameter } = findParameter(request.parent, 'parametermanager.parameterVersions.create')
      const id = request.parameterVersionId
      if (typeof id !== 'string' || !ID.test(id))
        throw invalidArgument(
          'parameter_version_id must be 1 to 255 letters, numerals, hyphens (-) or underscores (_).',
        )
      if (parameter.versions.has(id))
        throw alreadyExists(`Parameter version [${nameOf(parameter)}/versions/${id}] already exists.`)
      const body = request.parameterVersion ?? {}
      const data: Buffer | undefined = body.payload?.data
      if (!data) throw invalidArgument('parameter_version.payload.data is required.')
      await checkPayload(data, parameter.format)
      return versionMessage(parameter, state.addVersion(parameter, id, data, body.disabled === true), true)
    },

    GetParameterVersion(request) {
      const { parameter, version } = findVersion(request.name, 'parametermanager.parameterVersions.get')
      return versionMessage(parameter, version, request.view !== 'BASIC')
    },

    UpdateParameterVersion(request) {
      const { parameter, version } = findVersion(
        request.parameterVersion?.name,
        'parametermanager.parameterVersions.update',
      )
      const paths: string[] = (request.updateMask?.paths ?? []).map(camel)
      for (const field of paths.length ? paths : ['disabled']) {
        if (field !== 'disabled')
          throw invalidArgument(`Field "${field}" of a parameter version cannot be updated.`)
      }
      version.disabled = request.parameterVersion.disabled === true
      version.updateTime = state.now()
      return versionMessage(parameter, version, true)
    },

    DeleteParameterVersion(request) {
      const { parameter, version } = findVersion(request.name, 'parametermanager.parameterVersions.delete')
      parameter.versions.delete(version.id)
      return {}
    },

    ListParameterVersions(request) {
      const { parameter } = findParameter(request.parent, 'parametermanager.parameterVersions.list')
      const matches = compileFilter(request.filter, (v: StoredParameterVersion) => (path) => {
        if (path === 'name') return { kind: 'text', value: `${nameOf(parameter)}/versions/${v.id}` }
        if (path === 'disabled') return { kind: 'text', value: String(v.disabled) }
        if (path === 'create_time') return { kind: 'time', value: v.createTime }
        return undefined
      })
      const selected = [...parameter.versions.values()].filter(matches)
      const { page, nextPageToken } = paginate(
        selected,
        request,
        `versions:${parameter.location}/${parameter.id}:${request.filter ?? ''}`,
      )
      return {
        parameterVersions: page.map((v) => versionMessage(parameter, v, false)),
        nextPageToken,
        unreachable: [],
      }
    },

    RenderParameterVersion(request) {
      const { parameter, version } = findVersion(request.name, 'parametermanager.parameterVersions.render')
      if (version.disabled)
        throw failedPrecondition(
          `Parameter version [${nameOf(parameter)}/versions/${version.id}] is disabled and cannot be rendered.`,
        )
      return {
        parameterVersion: `${nameOf(parameter)}/versions/${version.id}`,
        payload: { data: version.data },
        renderedPayload: render(version.data, parameter.format, resolveReference),
      }
    },
  }
}

/** Starts a Parameter Manager fake on 127.0.0.1 (random port). Prefer `startFake('gcp-parameter-manager')`. */
export async function startParameterManagerFake(
  options: ParameterManagerFakeOptions = {},
): Promise<GcpParameterManagerFake> {
  const project: Project = {
    id: options.projectId ?? options.secretManager?.projectId ?? 'fake-project',
    number: options.projectNumber ?? '314159265358',
  }
  const state = new ParameterManagerState({ now: options.now ?? Date.now })
  return startGcpFake(
    'gcp-parameter-manager',
    {
      fullName: 'google.cloud.parametermanager.v1.ParameterManager',
      handlers: parameterManagerHandlers(state, project, options.secretManager),
    },
    state,
    { ...options, projectId: project.id, initial: options.parameters },
  )
}
