import { listKeys, type SecretData } from './kv2.js'
import { badRequest, notFound } from './wire.js'

/** One KV version 1 mount: one unversioned map of fields per path; writes replace it whole. */
export class Kv1Mount {
  readonly #secrets = new Map<string, SecretData>()

  has(path: string): boolean {
    return this.#secrets.has(path)
  }

  read(path: string): SecretData {
    const data = this.#secrets.get(path)
    if (!data) throw notFound()
    return structuredClone(data)
  }

  write(path: string, body: Record<string, unknown>): void {
    if (Object.keys(body).length === 0) throw badRequest('missing data fields')
    this.#secrets.set(path, structuredClone(body))
  }

  delete(path: string): void {
    this.#secrets.delete(path)
  }

  list(prefix: string): string[] {
    return listKeys(this.#secrets.keys(), prefix)
  }
}
