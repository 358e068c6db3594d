/**
 * Screenshots of the share page for docs/sharing.md — docs/images/share-create.png (the create form,
 * filled in) and docs/images/share-open.png (a share opened) — taken in Debian's Chromium against a
 * real server on loopback. Run: `pnpm --filter @polysecret/server screenshots`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { embeddedShareStore } from '../src/shares/embedded-store.js'
import { launchChromium } from '../test/support/chromium.js'
import { fillCreateForm, revealShare, submitCreateForm } from '../test/support/share-page-driver.js'
import { startShareServer } from '../test/support/share-server.js'

const images = fileURLToPath(new URL('../../../docs/images/', import.meta.url))
const SAMPLE = 'postgres://app:correct-horse-battery-staple@db.internal:5432/orders'
const viewport = { width: 820, height: 600 }

const dir = await mkdtemp(join(tmpdir(), 'polysecret-screenshots-'))
const store = embeddedShareStore({ path: join(dir, 'shares.enc'), key: 'e'.repeat(64), sweepIntervalMs: 0 })
const server = await startShareServer({ store })
const browser = await launchChromium()
try {
  await mkdir(images, { recursive: true })
  const sender = await browser.newContext({ viewport })
  const page = await fillCreateForm(sender, `${server.url}/share`, SAMPLE)
  await page.screenshot({ path: join(images, 'share-create.png'), fullPage: true })
  const link = await submitCreateForm(page)
  const recipient = await browser.newContext({ viewport })
  const opened = await revealShare(recipient, link)
  if (opened.plaintext !== SAMPLE) throw new Error(`the share did not open: ${opened.error}`)
  await opened.page.screenshot({ path: join(images, 'share-open.png'), fullPage: true })
  console.log(`wrote ${join(images, 'share-create.png')} and share-open.png`)
} finally {
  await browser.close()
  await server.close()
  await store.close()
  await rm(dir, { recursive: true, force: true })
}
