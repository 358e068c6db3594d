import { createClassifier, keyWords } from '@polysecret/core'
import { describe, expect, it } from 'vitest'

// What users actually name their keys, both ways. Each row says the rule that must decide, so a row
// that lands on the right kind for the wrong reason fails too.
const classify = createClassifier()

describe('classification by name: secrets', () => {
  it.each([
    // field selectors and path segments
    ['app/db#password', 'default:secret-word:password'],
    ['stripe/api#key', 'default:secret-word:key'],
    ['prod/payments/stripe#secret_key', 'default:secret-word:secret'],
    ['secret/data/app#token', 'default:secret-word:secret'],
    ['/myapp/prod/db-password', 'default:secret-word:password'],
    // trailing digits
    ['DB_PASSWORD2', 'default:secret-word:password'],
    ['API_KEY2', 'default:secret-word:key'],
    ['SECRET1', 'default:secret-word:secret'],
    ['TOKEN2', 'default:secret-word:token'],
    ['TOKEN_2', 'default:secret-word:token'],
    ['apiKey2', 'default:secret-word:key'],
    // short forms and spellings
    ['ADMIN_PW', 'default:secret-word:pw'],
    ['AUTHORIZATION', 'default:secret-word:authorization'],
    ['DB_PASSWD', 'default:secret-word:passwd'],
    ['MYSQL_PWD', 'default:secret-word:pwd'],
    ['PGPASSWORD', 'default:secret-word:pgpassword'],
    ['SMTP_PASS', 'default:secret-word:pass'],
    ['GITHUB_PAT', 'default:secret-word:pat'],
    ['AWS_CRED', 'default:secret-word:cred'],
    ['credentials', 'default:secret-word:credentials'],
    ['TOTP_SEED', 'default:secret-word:totp'],
    ['JAVA_KEYSTORE', 'default:secret-word:keystore'],
    // compounds, written apart or together
    ['AZURE_STORAGE_CONNECTION_STRING', 'default:secret-word:connectionstring'],
    ['connectionString', 'default:secret-word:connectionstring'],
    ['ConnectionStrings__Default', 'default:secret-word:connectionstrings'],
    ['PASS_PHRASE', 'default:secret-word:pass'],
    // the usual suspects
    ['PRIVATE_KEY', 'default:secret-word:key'],
    ['SSH_PRIVATE_KEY', 'default:secret-word:key'],
    ['PRIVATE_KEY_PASSPHRASE', 'default:secret-word:key'],
    ['CLIENT_SECRET', 'default:secret-word:secret'],
    ['OAUTH_CLIENT_SECRET', 'default:secret-word:secret'],
    ['AWS_SECRET_ACCESS_KEY', 'default:secret-word:secret'],
    ['AWS_SESSION_TOKEN', 'default:secret-word:token'],
    ['SECRET_KEY_BASE', 'default:secret-word:secret'],
    ['REFRESH_TOKEN', 'default:secret-word:token'],
    ['TLS_KEY', 'default:secret-word:key'],
    ['TLS_KEY_PEM', 'default:secret-word:key'],
    ['WEBHOOK_SIGNING_SECRET', 'default:secret-word:secret'],
    ['ENCRYPTION_KEY', 'default:secret-word:key'],
    ['SESSION_COOKIE_SECRET', 'default:secret-word:cookie'],
    ['AccountKey', 'default:secret-word:key'],
    ['SAS_TOKEN', 'default:secret-word:sas'],
  ])('%s is a secret (%s)', (key, reason) => {
    expect(classify(key)).toEqual({ kind: 'secret', reason })
  })
})

describe('classification by name: parameters', () => {
  it.each([
    ['app/db#user', 'default:parameter-suffix:user'],
    ['app/db#host', 'default:parameter-suffix:host'],
    ['stripe/api#url', 'default:parameter-suffix:url'],
    ['PASSWORD_MIN_LENGTH', 'default:parameter-suffix:length'],
    ['TOKEN_URL', 'default:parameter-suffix:url'],
    ['KEY_VAULT_URL', 'default:parameter-suffix:url'],
    ['KEY_VAULT_NAME', 'default:parameter-suffix:name'],
    ['AZURE_KEY_VAULT', 'default:parameter-suffix:vault'],
    ['monkeyCount', 'default:parameter-suffix:count'],
    ['ACCESS_KEY_ID', 'default:parameter-suffix:id'],
    ['AWS_ACCESS_KEY_ID', 'default:parameter-suffix:id'],
    ['API_KEY_ID_2', 'default:parameter-suffix:id'],
    ['DB_PORT_2', 'default:parameter-suffix:port'],
    ['KMS_KEY_ALIAS', 'default:parameter-suffix:alias'],
    ['KMS_KEY_ARN', 'default:parameter-suffix:arn'],
    ['PRIVATE_KEY_PATH', 'default:parameter-suffix:path'],
    ['TLS_KEY_FILE', 'default:parameter-suffix:file'],
    ['POSTGRES_PASSWORD_FILE', 'default:parameter-suffix:file'],
    ['CREDENTIALS_FILE', 'default:parameter-suffix:file'],
    ['TOKEN_END_POINT', 'default:parameter-suffix:endpoint'],
    ['TOKEN_EXPIRATION', 'default:parameter-suffix:expiration'],
    ['TOKEN_LIFETIME_SECONDS', 'default:parameter-suffix:seconds'],
    ['PASSWORD_MAX_AGE', 'default:parameter-suffix:age'],
    ['PASSWORD_POLICY', 'default:parameter-suffix:policy'],
    ['PASSWORD_HASH_ROUNDS', 'default:parameter-suffix:rounds'],
    ['KEY_ROTATION_DAYS', 'default:parameter-suffix:days'],
    ['AUTH_PROVIDER', 'default:parameter-suffix:provider'],
    ['AUTHORIZATION_URL', 'default:parameter-suffix:url'],
    ['SECRETS_BUCKET', 'default:parameter-suffix:bucket'],
    ['CLIENT_ID', 'default:parameter-suffix:id'],
    ['PUBLIC_KEY', 'default:public-key'],
    ['JWT_PUBLIC_KEY', 'default:public-key'],
    ['TLS_CERT', 'default:no-secret-word'],
    ['CA_CERT', 'default:no-secret-word'],
    ['CLIENT_CERTIFICATE', 'default:no-secret-word'],
    ['SENTRY_DSN', 'default:no-secret-word'],
    ['DATABASE_DSN', 'default:no-secret-word'],
    ['KEYCLOAK_REALM', 'default:parameter-suffix:realm'],
    ['sort_keys_option', 'default:no-secret-word'],
    ['passwordless_login', 'default:no-secret-word'],
    ['S3_BUCKET_PREFIX', 'default:parameter-suffix:prefix'],
    ['OAUTH2_SCOPE', 'default:parameter-suffix:scope'],
  ])('%s is a parameter (%s)', (key, reason) => {
    expect(classify(key)).toEqual({ kind: 'parameter', reason })
  })
})

describe('classification: words', () => {
  it('drops trailing digits and digit-only words, splits on # and every other separator', () => {
    expect(keyWords('app/db#password2')).toEqual(['app', 'db', 'password'])
    expect(keyWords('TOKEN_2')).toEqual(['token'])
    expect(keyWords('oauth2@client,secret')).toEqual(['oauth', 'client', 'secret'])
    expect(keyWords('k8s.token')).toEqual(['k8s', 'token'])
  })

  it('a global or sticky RegExp classifies the same key the same way every time', () => {
    for (const flags of ['g', 'y', 'gi', 'gy']) {
      const c = createClassifier({
        secretPatterns: [new RegExp('^INTERNAL_', flags)],
        parameterPatterns: [new RegExp('_PLAIN$', flags)],
      })
      // Fresh keys each round, so the classifier's memo cannot hide a stateful match.
      for (let i = 0; i < 4; i++) {
        expect(c(`INTERNAL_${i}`), `${flags} secret round ${i}`).toEqual({
          kind: 'secret',
          reason: `pattern:/^INTERNAL_/${flags}`,
        })
        expect(c(`TOKEN_${i}_PLAIN`).kind, `${flags} parameter round ${i}`).toBe('parameter')
      }
    }
  })

  it('leaves the caller’s RegExp untouched', () => {
    const re = /^INTERNAL_/g
    createClassifier({ secretPatterns: [re] })('INTERNAL_X')
    expect(re.lastIndex).toBe(0)
    expect(re.flags).toBe('g')
  })
})
