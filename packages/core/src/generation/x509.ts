/**
 * Certificates and CSRs, built with `@peculiar/x509` (loaded on first use) on keys from node:crypto.
 * No hand-written ASN.1: the library encodes, WebCrypto signs.
 */
import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, webcrypto } from 'node:crypto'
import { ValidationError } from '../errors.js'
import { generateKeyPair, type KeyPairType } from '../generate.js'
import { loadX509 } from './optional-modules.js'
import type {
  CertificateGenerator,
  CertificateRequestFields,
  CertificateSubject,
  CsrGenerator,
} from './spec.js'

type X509 = typeof import('@peculiar/x509')

/** A CA as PEM: its certificate and private key. */
export interface CaMaterial {
  readonly cert: string
  readonly key: string
}

/** Outputs of a certificate generator. */
export interface CertificateOutputs {
  readonly cert: string
  readonly key: string
  readonly publicKey: string
  /** The issuer's certificate (the certificate itself when self-signed). */
  readonly ca: string
  /** The certificate followed by its issuer's (just the certificate when self-signed). */
  readonly chain: string
}

/** Outputs of a CSR generator. */
export interface CsrOutputs {
  readonly csr: string
  readonly key: string
  readonly publicKey: string
}

const SUBJECT_ATTRIBUTES: ReadonlyArray<[keyof CertificateSubject, string]> = [
  ['country', 'C'],
  ['state', 'ST'],
  ['locality', 'L'],
  ['organization', 'O'],
  ['organizationalUnit', 'OU'],
  ['commonName', 'CN'],
]

/** The subject as JSON attributes, so a comma or `=` in a name is data, never DN syntax. */
function subjectName(subject: CertificateSubject): Record<string, string[]>[] {
  return SUBJECT_ATTRIBUTES.flatMap(([field, oid]) =>
    typeof subject[field] === 'string' ? [{ [oid]: [subject[field] as string] }] : [],
  )
}

/** The WebCrypto algorithm that signs with a key (SHA-256 for RSA and P-256, SHA-384 for P-384). */
type SigningAlgorithm = webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm

function signingAlgorithm(key: KeyObject): SigningAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve
      if (curve === 'prime256v1') return { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
      if (curve === 'secp384r1') return { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' }
      break
    }
    case 'ed25519':
      return { name: 'Ed25519' }
  }
  throw new ValidationError(
    `Unsupported signing key (${key.asymmetricKeyType ?? 'unknown'}${key.asymmetricKeyDetails?.namedCurve ? ` ${key.asymmetricKeyDetails.namedCurve}` : ''}): use RSA, EC P-256/P-384 or Ed25519.`,
  )
}

/** A new key pair as node KeyObjects and WebCrypto keys. */
async function newKeys(fields: CertificateRequestFields) {
  const pair = generateKeyPair({
    type: fields.keyType ?? ('ec-p256' satisfies KeyPairType),
    ...(fields.modulusLength !== undefined && { modulusLength: fields.modulusLength }),
  })
  const privateKey = createPrivateKey(pair.privateKey)
  return { pair, privateKey, ...(await cryptoKeys(privateKey)) }
}

async function cryptoKeys(privateKey: KeyObject) {
  const algorithm = signingAlgorithm(privateKey)
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' })
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' })
  const subtle = webcrypto.subtle
  return {
    algorithm,
    signing: await subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']),
    verifying: await subtle.importKey('spki', spki, algorithm, true, ['verify']),
  }
}

function altNames(x509: X509, fields: CertificateRequestFields) {
  const names = [
    ...(fields.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(fields.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
    ...(fields.emails ?? []).map((value) => ({ type: 'email' as const, value })),
  ]
  return names.length ? [new x509.SubjectAlternativeNameExtension(names, false)] : []
}

/** Reads a CA given as PEM and checks that it can sign: a CA certificate and the key that matches it. */
async function readCa(x509: X509, ca: CaMaterial, where: string) {
  let cert: InstanceType<X509['X509Certificate']>
  let key: KeyObject
  try {
    cert = new x509.X509Certificate(ca.cert)
  } catch {
    throw new ValidationError(`${where}: the CA certificate is not a PEM certificate.`)
  }
  try {
    key = createPrivateKey(ca.key)
  } catch {
    throw new ValidationError(`${where}: the CA key is not a PEM private key (PKCS#8, PKCS#1 or SEC1).`)
  }
  const certSpki = Buffer.from(cert.publicKey.rawData)
  const keySpki = createPublicKey(key).export({ type: 'spki', format: 'der' })
  if (!certSpki.equals(keySpki))
    throw new ValidationError(`${where}: the CA key does not belong to the CA certificate.`, {
      hint: 'Point ca.cert and ca.key at the certificate and private key of the same CA.',
    })
  const constraints = cert.getExtension(x509.BasicConstraintsExtension)
  if (!constraints?.ca)
    throw new ValidationError(
      `${where}: the CA certificate is not a CA (basicConstraints CA:TRUE is missing).`,
    )
  return { cert, ...(await cryptoKeys(key)) }
}

/** A certificate: self-signed, or signed by `ca`. `now` is when it becomes valid. */
export async function createCertificate(
  spec: CertificateGenerator,
  ca: CaMaterial | undefined,
  now: Date,
  where: string,
): Promise<CertificateOutputs> {
  const x509 = await loadX509('Certificate generation')
  const keys = await newKeys(spec)
  const issuer = ca ? await readCa(x509, ca, where) : undefined
  const { KeyUsageFlags: F, ExtendedKeyUsage: E } = x509
  const rsa = keys.privateKey.asymmetricKeyType === 'rsa'
  const extensions = [
    new x509.BasicConstraintsExtension(spec.isCA === true, spec.isCA ? spec.pathLength : undefined, true),
    new x509.KeyUsagesExtension(
      spec.isCA
        ? F.keyCertSign | F.cRLSign | F.digitalSignature
        : F.digitalSignature | (rsa ? F.keyEncipherment : 0),
      true,
    ),
    ...(spec.isCA
      ? []
      : [
          new x509.ExtendedKeyUsageExtension(
            (spec.usages ?? ['server', 'client']).map((u) => (u === 'server' ? E.serverAuth : E.clientAuth)),
            false,
          ),
        ]),
    ...altNames(x509, spec),
    await x509.SubjectKeyIdentifierExtension.create(keys.verifying),
    await x509.AuthorityKeyIdentifierExtension.create(issuer ? issuer.verifying : keys.verifying),
  ]
  const notAfter = new Date(now.getTime() + (spec.days ?? 365) * 86_400_000)
  const cert = await x509.X509CertificateGenerator.create({
    // A positive 128-bit serial (RFC 5280 allows up to 20 octets); the top bit is cleared.
    serialNumber: Buffer.from([randomBytes(1)[0]! & 0x7f, ...randomBytes(15)]).toString('hex'),
    subject: subjectName(spec.subject),
    issuer: issuer ? issuer.cert.subjectName : subjectName(spec.subject),
    notBefore: now,
    notAfter,
    publicKey: keys.verifying,
    signingKey: issuer ? issuer.signing : keys.signing,
    signingAlgorithm: issuer ? issuer.algorithm : keys.algorithm,
    extensions,
  })
  const pem = cert.toString('pem')
  const caPem = issuer ? issuer.cert.toString('pem') : pem
  return {
    cert: `${pem}\n`,
    key: keys.pair.privateKey,
    publicKey: keys.pair.publicKey,
    ca: `${caPem}\n`,
    chain: issuer ? `${pem}\n${caPem}\n` : `${pem}\n`,
  }
}

/** A PKCS#10 certificate signing request with a new key. */
export async function createCsr(spec: CsrGenerator): Promise<CsrOutputs> {
  const x509 = await loadX509('CSR generation')
  const keys = await newKeys(spec)
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subjectName(spec.subject),
    keys: { privateKey: keys.signing, publicKey: keys.verifying },
    signingAlgorithm: keys.algorithm,
    extensions: altNames(x509, spec),
  })
  return { csr: `${csr.toString('pem')}\n`, key: keys.pair.privateKey, publicKey: keys.pair.publicKey }
}
