import dns, { lookup as namedLookup } from 'node:dns'
import dnsPromises from 'node:dns/promises'
import http from 'node:http'
import http2 from 'node:http2'
import net from 'node:net'
import tls from 'node:tls'
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { SecretClient } from '@azure/keyvault-secrets'
import { describe, expect, it } from 'vitest'
import { startFake } from '../src/index.js'
import { isLoopbackHost, LoopbackGuardError } from '../src/loopback-guard.js'

// The guard is installed by the workspace setup file (test/setup/loopback-guard.ts); these tests prove
// it is active. Every blocked call throws synchronously, before any socket or DNS query exists.
const GUARD = /polysecret tests must not leave loopback/

describe('loopback guard', () => {
  it('blocks TCP connections to non-loopback addresses through net, tls and http', () => {
    expect(() => net.connect({ host: '192.0.2.1', port: 443 })).toThrow(GUARD)
    expect(() => net.connect(443, '192.0.2.1')).toThrow(LoopbackGuardError)
    expect(() => new net.Socket().connect(80, '2001:db8::1')).toThrow(/2001:db8::1/)
    expect(() => tls.connect({ host: '192.0.2.1', port: 443 })).toThrow(GUARD)
    expect(() => http.get('http://192.0.2.1/')).toThrow(/192\.0\.2\.1/)
    expect(() => http.get('http://example.com/')).toThrow(/example\.com/)
  })

  it('makes fetch fail with the guard error as cause', async () => {
    const err = await fetch('http://192.0.2.1/').catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect(String((err as Error & { cause?: unknown }).cause)).toMatch(GUARD)
  })

  it('stops an SDK client that was not pointed at a fake, naming the AWS host', async () => {
    const client = new SecretsManagerClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
      maxAttempts: 1,
    })
    const err = await client.send(new GetSecretValueCommand({ SecretId: 's' })).catch((e: Error) => e)
    expect(err).toBeInstanceOf(LoopbackGuardError)
    expect((err as Error).message).toContain('secretsmanager.us-east-1.amazonaws.com')
    client.destroy()
  })

  it('stops the Azure and HTTP/2 (gRPC) transports too, for the cloud hosts tests name', async () => {
    const vault = new SecretClient('https://v.vault.azure.net', {
      getToken: async () => ({ token: 'fake', expiresOnTimestamp: Date.now() + 60_000 }),
    })
    const err = await vault.getSecret('s').catch((e: Error) => e)
    expect(String(err)).toMatch(/v\.vault\.azure\.net/)
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err)) + String((err as Error).cause)).toMatch(GUARD)
    expect(() => http2.connect('https://secretmanager.googleapis.com')).toThrow(GUARD)
  })

  it('blocks DNS lookups and resolves of non-loopback names', () => {
    expect(() => dns.lookup('example.com', () => {})).toThrow(/DNS lookup of "example.com"/)
    expect(() => namedLookup('example.com', () => {})).toThrow(GUARD)
    expect(() => dnsPromises.lookup('example.com')).toThrow(GUARD)
    expect(() => dns.resolve4('example.com', () => {})).toThrow(GUARD)
    expect(() => new dns.promises.Resolver().resolveTxt('example.com')).toThrow(GUARD)
  })

  it('allows loopback: localhost lookups and the fakes', async () => {
    await expect(dnsPromises.lookup('localhost')).resolves.toBeDefined()
    await using fake = await startFake('aws-ssm')
    const status = await new Promise<number>((resolve, reject) => {
      http.get(fake.endpoint, (res) => resolve(res.statusCode ?? 0)).on('error', reject)
    })
    expect(status).toBeGreaterThan(0)
  })

  it('classifies hosts', () => {
    for (const h of [
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '[::1]',
      'localhost',
      'LOCALHOST',
      'api.localhost',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopbackHost(h), h).toBe(true)
    }
    for (const h of [
      '192.0.2.1',
      '0.0.0.0',
      '10.0.0.1',
      '169.254.169.254',
      'example.com',
      '::',
      'localhost.example.com',
    ]) {
      expect(isLoopbackHost(h), h).toBe(false)
    }
  })

  it('switches off cloud metadata probing', () => {
    expect(process.env.METADATA_SERVER_DETECTION).toBe('none')
    expect(process.env.AWS_EC2_METADATA_DISABLED).toBe('true')
  })
})
