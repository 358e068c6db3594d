/** Drives the share web page in a browser context the way a person would: type, click, read. */
import type { BrowserContext, Page } from 'playwright-core'

/** Problems the page reported: script errors, failed requests, CSP violations in the console. */
export function watchPage(page: Page, problems: string[]): Page {
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console: ${message.text()}`)
  })
  page.on('requestfailed', (request) => problems.push(`requestfailed: ${request.url()}`))
  return page
}

/** Opens the create page and fills the form (without submitting). */
export async function fillCreateForm(
  context: BrowserContext,
  pageUrl: string,
  secret: string,
  problems: string[] = [],
): Promise<Page> {
  const page = watchPage(await context.newPage(), problems)
  await page.goto(pageUrl)
  await page.locator('#secret').fill(secret)
  return page
}

/** Submits the filled create form and returns the link the page shows. */
export async function submitCreateForm(page: Page): Promise<string> {
  await page.locator('#create-button').click()
  await page.locator('#link').waitFor({ state: 'visible' })
  return page.locator('#link').inputValue()
}

/** Opens a link in `context` and clicks "Reveal"; returns the page and what it showed. */
export async function revealShare(
  context: BrowserContext,
  link: string,
  problems: string[] = [],
): Promise<{ page: Page; plaintext?: string; note?: string; error?: string }> {
  const page = watchPage(await context.newPage(), problems)
  await page.goto(link)
  await page.locator('#reveal').click()
  await page.locator('#revealed:not([hidden]), #error:not([hidden])').first().waitFor()
  if (await page.locator('#error').isVisible()) {
    return { page, error: (await page.locator('#error').textContent()) ?? '' }
  }
  return {
    page,
    plaintext: await page.locator('#plaintext').inputValue(),
    note: (await page.locator('#revealed-note').textContent()) ?? '',
  }
}
