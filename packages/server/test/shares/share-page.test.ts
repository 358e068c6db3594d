/**
 * The share page in a real headless Chromium (Debian's chromium, playwright-core): create a share, open
 * it in another browser context, see the plaintext, open it again and find it gone — while a relay in
 * front of the server records every byte the server receives, which must hold neither the plaintext
 * nor the key. Node-made shares open in the page and page-made shares open in Node (one format).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemTool } from '../../../../test/support/system-tools.js'
import { embeddedShareStore } from '../../src/shares/embedded-store.js'
import { createShare, openShare } from '../../src/shares/share-client.js'
import type { ShareStore } from '../../src/shares/share-store.js'
import { launchChromium } from '../support/chromium.js'
import { fillCreateForm, revealShare, submitCreateForm } from '../support/share-page-driver.js'
import { type RunningShareServer, startShareServer } from '../support/share-server.js'
import { recordTraffic, type TrafficRecorder } from '../support/traffic-recorder.js'

const PLAINTEXT = 'canary-browser-9d1e4b7a: hunter2 pässwörd 🔑'

/** The ways a value could be written on the wire. */
function encodings(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8')
  return [
    value,
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    // a distinctive part alone, in case the whole value was split or transformed
    value.slice(0, 24),
    Buffer.from(value.slice(0, 24)).toString('base64').slice(0, 28),
  ]
}

describe.runIf(systemTool('chromium').run)('share page in Chromium', () => {
  let dir: string
  let store: ShareStore
  let server: RunningShareServer
  let relay: TrafficRecorder
  let browser: Browser

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'polysecret-share-page-'))
    store = embeddedShareStore({ path: join(dir, 'shares.enc'), key: 'c'.repeat(64), sweepIntervalMs: 0 })
    server = await startShareServer({ store })
    relay = await recordTraffic(server.port)
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await relay?.close()
    await server?.close()
    await store?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('creates a share, opens it once in another context, then it is gone — and the server never received plaintext or key', async () => {
    const problems: string[] = []
    const sender = await browser.newContext()
    const page = await fillCreateForm(sender, `${relay.url}/share`, PLAINTEXT, problems)
    const link = await submitCreateForm(page)
    expect(link).toMatch(new RegExp(`^${relay.url}/share#[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}$`))
    expect(await page.locator('#secret').inputValue()).toBe('') // the form forgets the secret
    await sender.close()

    const recipient = await browser.newContext()
    const first = await revealShare(recipient, link, problems)
    expect(first.plaintext).toBe(PLAINTEXT)
    expect(first.note).toContain('now deleted from the server')
    expect(new URL(first.page.url()).hash).toBe('') // the key is dropped from the address bar and history
    await recipient.close()

    const late = await browser.newContext()
    const second = await revealShare(late, link, problems)
    expect(second.plaintext).toBeUndefined()
    expect(second.error).toContain('No such share: it was already opened')
    await late.close()

    // The page fetches the 404 itself; Chromium logs failed fetches as console errors — those two are expected.
    expect(problems.filter((p) => !/status of 404/.test(p))).toEqual([])

    const wire = relay.received()
    const text = wire.toString('latin1') + wire.toString('utf8')
    const [id, key] = new URL(link).hash.slice(1).split('.') as [string, string]
    // The recorder saw the traffic: the create and both reads reached the server…
    expect(text).toContain('POST /v1/shares HTTP/1.1')
    expect(wire.toString('latin1').split(`GET /v1/shares/${id} HTTP/1.1`)).toHaveLength(3)
    expect(text).toMatch(/"ciphertext":"[A-Za-z0-9_-]{40,}"/)
    // …and neither the plaintext nor the key was in any of it.
    for (const form of [...encodings(PLAINTEXT), ...encodings(key).slice(0, 4)])
      expect(text).not.toContain(form)
  })

  it('opens a share made by the Node helper, and the Node helper opens one made by the page', async () => {
    const fromNode = await createShare('made in node ✓', { server: relay.url })
    const context = await browser.newContext()
    const shown = await revealShare(context, fromNode.link.reveal())
    expect(shown.plaintext).toBe('made in node ✓')

    const page = await fillCreateForm(context, `${relay.url}/share`, 'made in chromium ✓')
    const link = await submitCreateForm(page)
    expect((await openShare(link)).reveal()).toBe('made in chromium ✓')
    await context.close()
  })

  it('refuses a secret over the size limit in the page, before sending anything', async () => {
    const context = await browser.newContext()
    const before = relay.received().length
    const page = await fillCreateForm(context, `${relay.url}/share`, 'x'.repeat(65_537))
    const sentWithPage = relay.received().length
    await page.locator('#create-button').click()
    await page.locator('#error').waitFor({ state: 'visible' })
    expect(await page.locator('#error').textContent()).toBe('The secret is too long: at most 65536 bytes.')
    expect(relay.received().length).toBe(sentWithPage)
    expect(sentWithPage).toBeGreaterThan(before)
    await context.close()
  })
})
