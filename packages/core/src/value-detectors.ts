/**
 * Value detectors: a value with one of these shapes is a credential whatever its key is called. They
 * only ever promote a key to secret, so a detector must be specific — a false positive turns a plain
 * parameter into a `Secret`, a false negative leaves a credential printable. Each detector names a
 * format a scanner (gitleaks, GitHub secret scanning) would also flag, and most are anchored on a
 * vendor prefix; the one without a prefix (AWS secret access keys) checks the bytes too.
 */

type Detector = readonly [name: string, test: (value: string) => boolean]

const byPattern = (name: string, pattern: RegExp): Detector => [name, (value) => pattern.test(value)]

/** An AWS secret access key: 40 base64 characters of random bytes — not hex, not encoded text. */
function isAwsSecretAccessKey(value: string): boolean {
  if (value.length !== 40 || !/^[A-Za-z0-9/+]{40}$/.test(value)) return false
  if (!/[A-Z]/.test(value) || !/[a-z]/.test(value) || !/[0-9]/.test(value)) return false
  if (/^[0-9a-fA-F]{40}$/.test(value)) return false // a SHA-1 or other hex digest
  // Plain base64 of text (`VGhlIHF1aWNr…`) decodes to printable characters; 30 random bytes almost
  // never do (≈ (95/256)^30).
  const bytes = Buffer.from(value, 'base64')
  return !bytes.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127))
}

const DETECTORS: readonly Detector[] = [
  byPattern('pem-private-key', /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/),
  // scheme://user:password@host — the user may be empty (`redis://:pw@host`), the password may not.
  byPattern('url-with-password', /^(?:jdbc:)?[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^@\s/]+@/i),
  // `Server=…;Password=…`, Azure `AccountKey=…`/`SharedAccessKey=…`, `?password=…` in a URL.
  byPattern(
    'connection-string-credential',
    /(?:^|[;?&])\s*(?:password|pwd|passwd|accountkey|sharedaccesskey|sharedaccesssignature)\s*=\s*[^;&\s]/i,
  ),
  byPattern('github-token', /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b/),
  byPattern('gitlab-token', /\bglpat-[A-Za-z0-9_-]{20,}/),
  byPattern('slack-token', /\bxox[abeprs]-[A-Za-z0-9-]{10,}/),
  byPattern('slack-webhook', /^https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9/_-]{20,}/),
  byPattern('aws-access-key-id', /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/),
  ['aws-secret-access-key', isAwsSecretAccessKey],
  byPattern('stripe-key', /\b(?:[sr]k|whsec)_(?:(?:live|test)_)?[A-Za-z0-9]{16,}/),
  byPattern('openai-anthropic-key', /\bsk-(?:proj-|ant-|svcacct-)[A-Za-z0-9_-]{20,}/),
  byPattern('sendgrid-key', /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/),
  byPattern('google-api-key', /\bAIza[0-9A-Za-z_-]{35}\b/),
  byPattern('npm-token', /\bnpm_[A-Za-z0-9]{36}\b/),
  byPattern('age-secret-key', /\bAGE-SECRET-KEY-1[0-9A-Z]{50,}/),
  byPattern('jwt', /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/),
  byPattern('authorization-header', /^(?:Bearer|Basic)\s+[A-Za-z0-9._~+/-]{8,}=*$/),
]

/** Detects a value that is a secret by its shape; returns the detector name, or `undefined`. */
export function detectSecretValue(value: string): string | undefined {
  for (const [name, test] of DETECTORS) if (test(value)) return name
  return undefined
}
