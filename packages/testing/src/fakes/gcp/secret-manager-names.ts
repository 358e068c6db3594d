import { GcpError as Err, type GcpError, invalidArgument, notFound } from './status.js'

/**
 * Resource names of Secret Manager (`projects/{project}/secrets/{secret}`, optionally under
 * `locations/{location}`, and `…/versions/{version}`) and the project check every call makes.
 */

export interface SecretName {
  readonly project: string
  readonly location: string | undefined
  readonly id: string
  /** `latest`, a number, or an alias; only on version names. */
  readonly version?: string
}

const NAME = /^projects\/([^/]+)\/(?:locations\/([^/]+)\/)?secrets\/([^/]+)(?:\/versions\/([^/]+))?$/
const PARENT = /^projects\/([^/]+)(?:\/locations\/([^/]+))?$/

/** Which project the fake serves and how it names it in responses. */
export interface Project {
  readonly id: string
  /** Responses name resources by project number, as the service does. */
  readonly number: string
}

function checkProject(project: Project, name: string, given: string, permission: string): void {
  if (given !== project.id && given !== project.number) {
    // The service does not reveal whether a resource in a project you cannot see exists.
    throw new Err(
      'PERMISSION_DENIED',
      `Permission '${permission}' denied for resource '${name}' (or it may not exist).`,
    )
  }
}

/** Parses `projects/p/secrets/s[/versions/v]`; `wantVersion` says which of the two forms is expected. */
export function parseSecretName(
  project: Project,
  name: unknown,
  wantVersion: boolean,
  permission: string,
): SecretName {
  const m = typeof name === 'string' ? NAME.exec(name) : null
  if (!m || (m[4] !== undefined) !== wantVersion) {
    const form = wantVersion ? 'projects/*/secrets/*/versions/*' : 'projects/*/secrets/*'
    throw invalidArgument(
      `Invalid resource field value in the request: name "${String(name ?? '')}" does not match ${form}.`,
    )
  }
  checkProject(project, name as string, m[1]!, permission)
  return { project: m[1]!, location: m[2], id: m[3]!, ...(m[4] !== undefined && { version: m[4] }) }
}

/** Parses a parent `projects/p` or `projects/p/locations/l`. */
export function parseParent(
  project: Project,
  parent: unknown,
  permission: string,
): { location: string | undefined } {
  const m = typeof parent === 'string' ? PARENT.exec(parent) : null
  if (!m)
    throw invalidArgument(
      `Invalid resource field value in the request: parent "${String(parent ?? '')}" does not match projects/*.`,
    )
  checkProject(project, parent as string, m[1]!, permission)
  return { location: m[2] }
}

/** The canonical name of a secret (by project number). */
export function secretName(project: Project, location: string | undefined, id: string): string {
  return `projects/${project.number}/${location ? `locations/${location}/` : ''}secrets/${id}`
}

export function secretNotFound(name: string): GcpError {
  return notFound(`Secret [${name}] not found or has no versions.`)
}
