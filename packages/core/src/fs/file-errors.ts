/** Maps Node file-system errors onto polysecret's error classes, naming the file but never its content. */
import {
  AccessDeniedError,
  PolysecretError,
  ReadOnlyError,
  UnavailableError,
  ValidationError,
} from '../errors.js'

/** Context of a failed file operation. */
export interface FileErrorContext {
  readonly path: string
  readonly action: 'read' | 'write' | 'lock'
  readonly provider?: string | undefined
  readonly key?: string | undefined
}

/** Wraps a file-system error in the matching typed error; polysecret errors pass through unchanged. */
export function fileError(error: unknown, context: FileErrorContext): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (error instanceof PolysecretError) return error
  const base = { provider: context.provider, key: context.key, cause: error }
  if (code === 'EACCES' || code === 'EPERM') {
    return new AccessDeniedError({
      ...base,
      message: `Cannot ${context.action} ${context.path}: permission denied (${code}).`,
      hint: 'Check the file and directory permissions for the user running this process.',
    })
  }
  if (code === 'EISDIR' || code === 'ENOTDIR') {
    // A misconfigured path, not an outage: not retried, and the manager does not fall back past it.
    return new ValidationError(
      code === 'EISDIR'
        ? `Cannot ${context.action} ${context.path}: it is a directory, not a file.`
        : `Cannot ${context.action} ${context.path}: a parent of the path is a file, not a directory.`,
      { ...base, hint: 'Point the provider at a file path.' },
    )
  }
  if (code === 'EROFS') {
    return new ReadOnlyError({
      ...base,
      message: `Cannot ${context.action} ${context.path}: the file system is read-only.`,
      hint: 'Mount it read-write, or point the provider at a writable path.',
    })
  }
  return new UnavailableError({
    ...base,
    message: `Cannot ${context.action} ${context.path}${code ? ` (${code})` : ''}.`,
    hint: 'Check that the path exists, is a regular file and the disk has space.',
  })
}
