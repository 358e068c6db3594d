/**
 * The data of the Parameter Manager fake: parameters (with a format and labels) per location, and their
 * named versions with a payload and a `disabled` flag.
 */

export type ParameterFormat = 'UNFORMATTED' | 'JSON' | 'YAML'

export interface StoredParameterVersion {
  readonly id: string
  readonly createTime: number
  updateTime: number
  disabled: boolean
  readonly data: Buffer
}

export interface StoredParameter {
  readonly location: string
  readonly id: string
  readonly createTime: number
  updateTime: number
  format: ParameterFormat
  labels: Record<string, string>
  kmsKey: string | undefined
  /** In creation order. */
  readonly versions: Map<string, StoredParameterVersion>
}

/** A parameter to seed, by parameter id. */
export interface GcpParameterSeed {
  /** Default: `UNFORMATTED`. */
  readonly format?: ParameterFormat
  readonly labels?: Readonly<Record<string, string>>
  /** Default: `global`. */
  readonly location?: string
  /** Version id → payload (or `{ data, disabled }`), oldest first. */
  readonly versions?: Readonly<
    Record<string, string | Uint8Array | { readonly data: string | Uint8Array; readonly disabled?: boolean }>
  >
}

export class ParameterManagerState {
  readonly now: () => number
  readonly #parameters = new Map<string, StoredParameter>()

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now
  }

  static key(location: string, id: string): string {
    return `${location}/${id}`
  }

  find(location: string, id: string): StoredParameter | undefined {
    return this.#parameters.get(ParameterManagerState.key(location, id))
  }

  list(location: string): StoredParameter[] {
    return [...this.#parameters.values()].filter((p) => p.location === location)
  }

  create(
    location: string,
    id: string,
    fields: { format?: ParameterFormat; labels?: Record<string, string>; kmsKey?: string } = {},
  ): StoredParameter {
    const now = this.now()
    const parameter: StoredParameter = {
      location,
      id,
      createTime: now,
      updateTime: now,
      format: fields.format ?? 'UNFORMATTED',
      labels: { ...fields.labels },
      kmsKey: fields.kmsKey,
      versions: new Map(),
    }
    this.#parameters.set(ParameterManagerState.key(location, id), parameter)
    return parameter
  }

  remove(parameter: StoredParameter): void {
    this.#parameters.delete(ParameterManagerState.key(parameter.location, parameter.id))
  }

  addVersion(
    parameter: StoredParameter,
    id: string,
    data: Uint8Array,
    disabled = false,
  ): StoredParameterVersion {
    const now = this.now()
    const version: StoredParameterVersion = {
      id,
      createTime: now,
      updateTime: now,
      disabled,
      data: Buffer.from(data),
    }
    parameter.versions.set(id, version)
    return version
  }

  /** The payload of a version as UTF-8 (not rendered), or undefined. */
  value(id: string, version: string, location = 'global'): string | undefined {
    return this.find(location, id)?.versions.get(version)?.data.toString('utf8')
  }

  /** Creates (or replaces) parameters without going through the API (formats are not validated). */
  seed(items: Readonly<Record<string, GcpParameterSeed>>): void {
    for (const [id, seed] of Object.entries(items)) {
      const location = seed.location ?? 'global'
      const existing = this.find(location, id)
      if (existing) this.remove(existing)
      const parameter = this.create(location, id, {
        ...(seed.format && { format: seed.format }),
        labels: { ...seed.labels },
      })
      for (const [versionId, v] of Object.entries(seed.versions ?? {})) {
        const { data, disabled } =
          typeof v === 'string' || v instanceof Uint8Array ? { data: v, disabled: false } : v
        this.addVersion(
          parameter,
          versionId,
          typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
          disabled ?? false,
        )
      }
    }
  }
}
