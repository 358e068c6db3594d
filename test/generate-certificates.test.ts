/**
 * Generated certificates, CSRs and key pairs checked by the real `openssl` binary: the certificate
 * parses and says what the spec asked, a CA-signed one verifies against its CA, a CSR's signature
 * verifies, and each private key matches its certificate's public key.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ConfigManager,
  type GenerationSpec,
  memory,
  NotFoundError,
  renderGenerationSpec,
  Secret,
  ValidationError,
} from '@polysecret/core'
import { describe, expect, it } from 'vitest'
import { systemTool } from './support/system-tools.js'

const dir = mkdtempSync(join(tmpdir(), 'polysecret-certs-'))
let files = 0
/** Writes PEM text to a temporary file for openssl. */
const file = (text: string) => {
  const path = join(dir, `f${files++}.pem`)
  writeFileSync(path, text)
  return path
}
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' })
/** The SPKI public key openssl derives from a private key, and from a certificate. */
const keyPub = (key: string) => openssl('pkey', '-in', file(key), '-pubout')
const certPub = (cert: string) => openssl('x509', '-in', file(cert), '-noout', '-pubkey')
const reveal = (s: Secret | undefined) => s!.reveal()
const NOW = new Date('2026-06-01T00:00:00Z')

describe.runIf(systemTool('openssl').run)('certificates checked with openssl', () => {
  it.each([
    ['ec-p256', 'id-ecPublicKey', 'ecdsa-with-SHA256'],
    ['ec-p384', 'id-ecPublicKey', 'ecdsa-with-SHA384'],
    ['rsa', 'rsaEncryption', 'sha256WithRSAEncryption'],
    ['ed25519', 'ED25519', 'ED25519'],
  ] as const)(
    'self-signed %s: subject, SANs, validity, usages; key matches',
    async (keyType, keyAlg, sigAlg) => {
      const values = await renderGenerationSpec(
        {
          generators: {
            tls: {
              type: 'certificate',
              keyType,
              days: 90,
              subject: { commonName: 'api.internal', organization: 'Example, Inc.' },
              dnsNames: ['api.internal', '*.api.internal'],
              ipAddresses: ['10.0.0.7'],
            },
          },
          keys: { TLS_CERT: '{{ .gen.tls.cert }}', TLS_KEY: '{{ .gen.tls.key }}' },
        },
        { now: () => NOW },
      )
      const cert = reveal(values.TLS_CERT)
      const text = openssl('x509', '-in', file(cert), '-text', '-noout')
      expect(text).toContain(`Public Key Algorithm: ${keyAlg}`)
      expect(text).toContain(`Signature Algorithm: ${sigAlg}`)
      expect(text).toMatch(/Subject: O ?= ?"?Example, Inc\."?, CN ?= ?api\.internal/)
      expect(text).toContain('DNS:api.internal, DNS:*.api.internal, IP Address:10.0.0.7')
      expect(text).toContain('Not Before: Jun  1 00:00:00 2026 GMT')
      expect(text).toContain('Not After : Aug 30 00:00:00 2026 GMT')
      expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication')
      expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/)
      expect(keyPub(reveal(values.TLS_KEY))).toBe(certPub(cert))
      // Self-signed: it verifies against itself (openssl accepts a leaf as its own trust anchor with -partial_chain).
      expect(
        openssl(
          'verify',
          '-partial_chain',
          '-attime',
          String(NOW.getTime() / 1000 + 60),
          '-CAfile',
          file(cert),
          file(cert),
        ),
      ).toContain(': OK')
    },
  )

  it('a certificate signed by a CA read from the manager verifies with openssl verify -CAfile', async () => {
    // The CA itself comes from a first run, stored like any secret.
    const store = memory({}, { name: 'pki' })
    const manager = new ConfigManager({ secrets: [store], allowWrites: true })
    const caSpec: GenerationSpec = {
      generators: {
        root: {
          type: 'certificate',
          isCA: true,
          pathLength: 0,
          keyType: 'ec-p384',
          days: 3650,
          subject: { commonName: 'Example Root CA' },
        },
      },
      keys: {
        PKI_CA_CERT: { template: '{{ .gen.root.cert }}', kind: 'parameter' },
        PKI_CA_KEY: '{{ .gen.root.key }}',
      },
      to: 'pki',
    }
    await manager.generate(caSpec)
    const leafSpec: GenerationSpec = {
      generators: {
        web: {
          type: 'certificate',
          keyType: 'rsa',
          subject: { commonName: 'web.example.test' },
          dnsNames: ['web.example.test'],
          usages: ['server'],
          ca: { cert: 'PKI_CA_CERT', key: 'PKI_CA_KEY' },
        },
      },
      keys: {
        WEB_TLS_CERT: '{{ .gen.web.cert }}',
        WEB_TLS_KEY: '{{ .gen.web.key }}',
        WEB_TLS_CHAIN: '{{ .gen.web.chain }}',
      },
    }
    const report = await manager.generate(leafSpec)
    expect(report.ok).toBe(true)
    const get = async (k: string) => {
      const v = await manager.get(k)
      return v instanceof Secret ? v.reveal() : v
    }
    const [caCert, cert, key, chain] = await Promise.all(
      ['PKI_CA_CERT', 'WEB_TLS_CERT', 'WEB_TLS_KEY', 'WEB_TLS_CHAIN'].map(get),
    )
    const caText = openssl('x509', '-in', file(caCert!), '-text', '-noout')
    expect(caText).toMatch(/CA:TRUE, pathlen:0/)
    expect(caText).toContain('Certificate Sign, CRL Sign')
    expect(openssl('verify', '-CAfile', file(caCert!), file(cert!))).toBe(`${dir}/f${files - 1}.pem: OK\n`)
    const text = openssl('x509', '-in', file(cert!), '-text', '-noout')
    expect(text).toContain('Issuer: CN = Example Root CA')
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA384')
    expect(text).toContain('TLS Web Server Authentication')
    expect(text).not.toContain('TLS Web Client Authentication')
    expect(text).toContain('Key Encipherment')
    // modulus of key and certificate agree
    expect(openssl('rsa', '-in', file(key!), '-noout', '-modulus')).toBe(
      openssl('x509', '-in', file(cert!), '-noout', '-modulus'),
    )
    expect(chain).toBe(`${cert}${caCert}`)
    // A different CA does not verify it.
    const other = await renderGenerationSpec({
      generators: { ca: { type: 'certificate', isCA: true, subject: { commonName: 'Example Root CA' } } },
      keys: { C: '{{ .gen.ca.cert }}' },
    })
    expect(() =>
      execFileSync('openssl', ['verify', '-CAfile', file(reveal(other.C)), file(cert!)], { stdio: 'pipe' }),
    ).toThrow(/verification failed|signature failure/i)
  })

  it('signs with a CA generated in the same spec (ca: { generator })', async () => {
    const values = await renderGenerationSpec({
      generators: {
        root: { type: 'certificate', isCA: true, keyType: 'ed25519', subject: { organization: 'Dev' } },
        svc: { type: 'certificate', subject: { commonName: 'svc' }, ca: { generator: 'root' } },
      },
      keys: { CA: '{{ .gen.root.cert }}', CERT: '{{ .gen.svc.cert }}', ISSUER: '{{ .gen.svc.ca }}' },
    })
    expect(reveal(values.ISSUER)).toBe(reveal(values.CA))
    expect(openssl('verify', '-CAfile', file(reveal(values.CA)), file(reveal(values.CERT)))).toMatch(
      /: OK\n$/,
    )
  })

  it('a CSR verifies with openssl req -verify and carries subject, SANs and the key', async () => {
    const values = await renderGenerationSpec({
      generators: {
        req: {
          type: 'csr',
          keyType: 'ec-p256',
          subject: { commonName: 'db.internal', country: 'DE' },
          dnsNames: ['db.internal'],
        },
      },
      keys: { CSR: '{{ .gen.req.csr }}', KEY: '{{ .gen.req.key }}' },
    })
    const csr = file(reveal(values.CSR))
    const out = execFileSync('openssl', ['req', '-in', csr, '-verify', '-noout', '-text'], {
      encoding: 'utf8',
      stdio: 'pipe',
    })
    expect(out).toMatch(/Subject: C ?= ?DE, CN ?= ?db\.internal/)
    expect(out).toContain('DNS:db.internal')
    expect(openssl('req', '-in', csr, '-noout', '-pubkey')).toBe(keyPub(reveal(values.KEY)))
  })

  it('key pairs: the public key is the private key’s, for RSA, EC and Ed25519', async () => {
    const values = await renderGenerationSpec({
      generators: {
        r: { type: 'keypair', keyType: 'rsa', modulusLength: 3072 },
        e: { type: 'keypair', keyType: 'ec-p384' },
        d: { type: 'keypair', keyType: 'ed25519' },
      },
      keys: Object.fromEntries(
        ['r', 'e', 'd'].flatMap((g) => [
          [`${g}_PRIV`, `{{ .gen.${g}.privateKey }}`],
          [`${g}_PUB`, `{{ .gen.${g}.publicKey }}`],
        ]),
      ),
    })
    for (const g of ['r', 'e', 'd'])
      expect(keyPub(reveal(values[`${g}_PRIV`]))).toBe(reveal(values[`${g}_PUB`]))
    expect(openssl('pkey', '-in', file(reveal(values.r_PRIV)), '-noout', '-text')).toContain(
      'Private-Key: (3072 bit',
    )
  })

  it('refuses a CA key that does not belong to the CA certificate, and a CA key that is missing', async () => {
    const a = await renderGenerationSpec({
      generators: {
        ca: { type: 'certificate', isCA: true, subject: { commonName: 'A' } },
        other: { type: 'keypair', keyType: 'ec-p256' },
      },
      keys: { CERT: '{{ .gen.ca.cert }}', WRONG_KEY: '{{ .gen.other.privateKey }}' },
    })
    const manager = new ConfigManager({
      secrets: [memory({ CA_CERT: reveal(a.CERT), CA_KEY: reveal(a.WRONG_KEY) }, { name: 'm' })],
      allowWrites: true,
    })
    const spec = (key: string): GenerationSpec => ({
      generators: {
        leaf: { type: 'certificate', subject: { commonName: 'x' }, ca: { cert: 'CA_CERT', key } },
      },
      keys: { LEAF: '{{ .gen.leaf.cert }}' },
    })
    await expect(manager.generate(spec('CA_KEY'))).rejects.toThrow(ValidationError)
    await expect(manager.generate(spec('CA_KEY'))).rejects.toThrow(
      /generator "leaf": the CA key does not belong to the CA certificate/,
    )
    await expect(manager.generate(spec('NO_SUCH_KEY'))).rejects.toThrow(NotFoundError)
    // Nothing was written by the failed runs.
    expect(await manager.get('LEAF', { optional: true })).toBeUndefined()
  })
})
