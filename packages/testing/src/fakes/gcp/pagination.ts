import { pageToken } from '../page-token.js'
import { invalidArgument } from './status.js'

/**
 * Google list pagination (AIP-158): `page_size` (0 = the server decides; larger than the maximum is
 * capped), an opaque `page_token`, and `next_page_token` empty on the last page.
 */

/** What the fakes use when `page_size` is 0: small enough that code ignoring `next_page_token` is caught. */
export const DEFAULT_PAGE_SIZE = 100
/** The cap Secret Manager documents ("If the number is greater than 25000, it is capped at 25000"). */
export const MAX_PAGE_SIZE = 25_000

export function paginate<T>(
  items: readonly T[],
  request: { pageSize?: number; pageToken?: string },
  scope: string,
): { page: T[]; nextPageToken: string } {
  const size = request.pageSize ?? 0
  if (size < 0) throw invalidArgument(`page_size must not be negative, got ${size}.`)
  let start = 0
  if (request.pageToken) {
    const decoded = pageToken.decode(request.pageToken, scope)
    if (decoded === undefined)
      throw invalidArgument('The page token is invalid or belongs to another listing.')
    start = decoded
  }
  const max = size === 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE)
  const page = items.slice(start, start + max)
  const end = start + page.length
  return { page, nextPageToken: end < items.length ? pageToken.encode(end, scope) : '' }
}
