import { detectSecretValue } from '@polysecret/core'
import { describe, expect, it } from 'vitest'

// Built at run time so that secret scanners do not flag this file; none of these is a live credential.
const rep = (s: string, n: number) => s.repeat(n)
const b64 = (text: string) => Buffer.from(text).toString('base64')

describe('value detectors: credentials', () => {
  it.each([
    ['postgres://app:pw@db/app', 'url-with-password'],
    ['redis://:s3cret@cache:6379/0', 'url-with-password'],
    ['rediss://default:s3cret@cache.example.com:6380', 'url-with-password'],
    ['mongodb+srv://app:s3cret@cluster0.example.net/db', 'url-with-password'],
    ['jdbc:postgresql://app:s3cret@db:5432/app', 'url-with-password'],
    ['amqp://guest:guest@rabbit:5672/', 'url-with-password'],
    ['Server=db;Database=app;User Id=app;Password=s3cret;', 'connection-string-credential'],
    [
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${rep('Ab1+', 22)}==;EndpointSuffix=core.windows.net`,
      'connection-string-credential',
    ],
    [
      'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=x;SharedAccessKey=abc123=',
      'connection-string-credential',
    ],
    ['postgres://db/app?user=app&password=s3cret', 'connection-string-credential'],
    [`-----BEGIN PRIVATE KEY-----\n${rep('MIIE', 10)}\n-----END PRIVATE KEY-----`, 'pem-private-key'],
    ['-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----', 'pem-private-key'],
    ['-----BEGIN PGP PRIVATE KEY BLOCK-----\nabc\n-----END PGP PRIVATE KEY BLOCK-----', 'pem-private-key'],
    [
      JSON.stringify({
        type: 'service_account',
        private_key: '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n',
      }),
      'pem-private-key',
    ],
    [`ghp_${rep('a1B2', 9)}`, 'github-token'],
    [`github_pat_${rep('a1B2_', 12)}`, 'github-token'],
    [`glpat-${rep('x1Y2', 5)}`, 'gitlab-token'],
    [`xoxb-1234567890-1234567890-${rep('aB', 12)}`, 'slack-token'],
    [`https://hooks.slack.com/services/T0000/B0000/${rep('XyZ1', 6)}`, 'slack-webhook'],
    ['AKIAIOSFODNN7EXAMPLE', 'aws-access-key-id'],
    ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws-secret-access-key'],
    [`sk_live_${rep('a1B2', 6)}`, 'stripe-key'],
    [`rk_test_${rep('a1B2', 6)}`, 'stripe-key'],
    [`whsec_${rep('a1B2', 8)}`, 'stripe-key'],
    [`sk-proj-${rep('a1B2', 8)}`, 'openai-anthropic-key'],
    [`sk-ant-api03-${rep('a1B2', 8)}`, 'openai-anthropic-key'],
    [`SG.${rep('a1B2', 6)}.${rep('c3D4', 10)}`, 'sendgrid-key'],
    [`AIza${rep('a1B2c', 7)}`, 'google-api-key'],
    [`npm_${rep('A1b2', 9)}`, 'npm-token'],
    [`AGE-SECRET-KEY-1${rep('QZ2X', 15)}`, 'age-secret-key'],
    [
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'jwt',
    ],
    [`Bearer ${rep('a1B2', 6)}`, 'authorization-header'],
    [`Basic ${b64('user:s3cret-pass')}`, 'authorization-header'],
  ])('%s → %s', (value, detector) => {
    expect(detectSecretValue(value)).toBe(detector)
  })
})

describe('value detectors: ordinary values stay parameters', () => {
  it.each([
    ['URL without a password', 'postgres://app@db:5432/app'],
    ['URL with only a port', 'https://example.com:8443/path'],
    ['URL with @ in the path', 'https://example.com/users/@me'],
    ['URL with an empty password', 'https://user:@example.com/'],
    ['mailto', 'mailto:someone@example.com'],
    ['an e-mail address', 'ops@example.com'],
    ['a plain base64 of text, 40 characters', b64('The quick brown fox jumps over')],
    ['a plain base64 of text', b64('hello world, this is ordinary configuration')],
    ['a git SHA-1', '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12'],
    ['a SHA-256 hex digest', rep('9f86d081884c7d65', 4)],
    ['a UUID', '123e4567-e89b-12d3-a456-426614174000'],
    ['a public key PEM', '-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----'],
    ['a certificate PEM', '-----BEGIN CERTIFICATE-----\nMIIBIjAN\n-----END CERTIFICATE-----'],
    ['a connection string without credentials', 'Server=db;Database=app;Integrated Security=true;'],
    ['a password policy', 'password_min_length=12;password_max_age=90'],
    ['a reset URL template', 'https://example.com/reset?password='],
    ['an ARN', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf'],
    ['a token prefix alone', 'ghp_'],
    ['an OpenAI-style model name', 'gpt-4o-mini'],
    ['a JSON document', '{"feature":"on","limit":10}'],
    ['a number', '8080'],
    ['a word', 'Bearer'],
    ['a sentence', 'Basic plan for new users'],
    ['an empty string', ''],
  ])('%s', (_what, value) => {
    expect(detectSecretValue(value)).toBeUndefined()
  })
})
