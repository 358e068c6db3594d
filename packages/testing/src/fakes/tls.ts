import { generateKeyPairSync, randomBytes } from 'node:crypto'

/**
 * A certificate for a fake that speaks HTTPS: self-signed, valid for `127.0.0.1` and `localhost`, made
 * fresh for each fake so no key is checked in and nothing is trusted beyond the test that asked for it.
 * The key pair comes from Node's native crypto (fast); node-forge, pure JavaScript, only writes and signs
 * the X.509 structure, so no `openssl` binary is needed.
 */
export interface FakeCertificate {
  /** The certificate, PEM. Trust it as a CA (`ca`): it signs itself. */
  readonly cert: string
  /** Its private key, PEM (PKCS#8). */
  readonly key: string
}

export async function generateCertificate(): Promise<FakeCertificate> {
  // TLS clients check validity on the machine's clock, never on a fake's injected one.
  const now = Date.now()
  // Loaded on first use so that users of the plain-HTTP fakes never pay for it.
  const { default: forge } = await import('node-forge')
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString())
  // A positive serial: the high bit of the first byte clear.
  const serial = randomBytes(16)
  serial[0]! &= 0x7f
  cert.serialNumber = serial.toString('hex')
  // Valid from a day back, so a client whose clock lags a little still accepts it.
  cert.validity.notBefore = new Date(now - 24 * 3600_000)
  cert.validity.notAfter = new Date(now + 7 * 24 * 3600_000)
  const subject = [
    { name: 'commonName', value: 'polysecret fake' },
    { name: 'organizationName', value: '@polysecret/testing' },
  ]
  cert.setSubject(subject)
  cert.setIssuer(subject)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
  ])
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(cert), key: keyPem }
}
