/**
 * One-time shares mounted in the real server with `sharesExtension`: a share made by the Node client
 * opens once through the server and is gone after; the server's OpenAPI document lists the share API;
 * the server's audit log records each share event by its reference — never the id, key or plaintext.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigManager, memory, NotFoundError } from '@polysecret/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createShare, embeddedShareStore, openShare, sharesExtension } from '../../src/shares/index.js'
import { startServer } from '../support/server.js'

const KEY = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'
const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

describe('sharesExtension in @polysecret/server', () => {
  it('a share opens once through the server, is listed in /openapi.json, and is audited without its secrets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shares-ext-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const manager = new ConfigManager({ secrets: [memory({})] })
    cleanups.push(() => manager.close())
    const store = embeddedShareStore({ path: join(dir, 'shares.enc'), key: KEY, sweepIntervalMs: 0 })
    await using s = await startServer(manager, { extensions: [sharesExtension({ store })] })

    const plaintext = 'CANARY-share-plaintext-7731'
    const share = await createShare(plaintext, { server: s.server.url })
    expect((await openShare(share.link)).reveal()).toBe(plaintext)
    await expect(openShare(share.link)).rejects.toBeInstanceOf(NotFoundError)

    const doc = (await s.call('/openapi.json')).body
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/shares', '/v1/shares/{id}']))
    expect(doc.paths['/v1/shares/{id}'].get.operationId).toBe('openShare')

    const shareLines = s.audit.lines.filter((l) => String(l.operation).startsWith('share.'))
    expect(shareLines.map((l) => `${l.operation}:${l.outcome}`)).toEqual([
      'share.create:ok',
      'share.open:ok',
      'share.open:not_found',
    ])
    const everything = s.audit.text.join('\n')
    const fragment = share.link.reveal().split('#')[1]!
    for (const secret of [plaintext, share.id, fragment, fragment.split('.')[1]!])
      expect(everything).not.toContain(secret)
  })
})
