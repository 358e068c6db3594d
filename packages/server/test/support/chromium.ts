/**
 * Debian's Chromium (`apt-get install -y chromium`) driven by playwright-core: headless, sandbox off
 * (tests run as root in CI), and every background feature that would phone home switched off — the
 * browser talks only to the loopback server under test. Playwright gives each launch a new, empty
 * profile directory (its own --user-data-dir) and removes it on close.
 */
import { access } from 'node:fs/promises'
import { type Browser, chromium } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Launches Chromium; fails with the install command when it is missing. */
export async function launchChromium(): Promise<Browser> {
  await access(CHROMIUM).catch(() => {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`)
  })
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
}
