/**
 * Opaque pagination tokens shared by the fakes: an offset the fake can validate, wrapped so callers
 * cannot build them, and tied to the listing (`scope`) that produced them.
 */
export const pageToken = {
  encode(offset: number, scope: string): string {
    return Buffer.from(JSON.stringify({ o: offset, s: scope })).toString('base64url')
  },
  /** Returns the offset, or `undefined` when the token is malformed or belongs to another listing. */
  decode(token: string, scope: string): number | undefined {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
        o?: unknown
        s?: unknown
      }
      return typeof parsed.o === 'number' && parsed.s === scope && parsed.o >= 0 ? parsed.o : undefined
    } catch {
      return undefined
    }
  },
}
