/**
 * The share page's script (bundled into page-script.generated.ts by scripts/build-share-page.ts —
 * run `pnpm --filter @polysecret/server build:share-page` after changing it). Without a fragment the
 * page creates a share: it encrypts in the browser and posts only ciphertext. With `#id.key` it opens
 * one, after a click, so a link preview that runs scripts does not burn the share.
 */
import { openSealedShare, parseShareFragment, sealShare, shareFragment } from '../share-codec.js'

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const data = document.body.dataset
const api = data.api ?? '/v1/shares'
const maxBytes = Number(data.maxBytes)
const maxTtl = Number(data.maxTtl)
const defaultTtl = Number(data.defaultTtl)
const maxReads = Number(data.maxReads)

function showError(message: string): void {
  const box = $('error')
  box.textContent = message
  box.hidden = false
}

async function errorOf(response: Response): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined
  return body?.error?.message ?? `The server answered ${response.status}.`
}

function describeTtl(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '1 day' : `${seconds / 86_400} days`
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`
  if (seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`
  return `${seconds} seconds`
}

function fillSelect(
  select: HTMLSelectElement,
  values: number[],
  chosen: number,
  label: (n: number) => string,
) {
  for (const value of [...new Set([...values, chosen])].sort((a, b) => a - b)) {
    select.add(new Option(label(value), String(value), value === chosen, value === chosen))
  }
}

function setUpCreate(): void {
  $('create').hidden = false
  const ttl = $<HTMLSelectElement>('ttl')
  const reads = $<HTMLSelectElement>('reads')
  fillSelect(
    ttl,
    [300, 3600, 86_400, 604_800].filter((s) => s <= maxTtl),
    defaultTtl,
    describeTtl,
  )
  fillSelect(
    reads,
    [1, 2, 3, 5, 10].filter((n) => n <= maxReads),
    1,
    (n) => (n === 1 ? 'once' : `${n} times`),
  )
  $<HTMLFormElement>('create-form').addEventListener('submit', async (event) => {
    event.preventDefault()
    $('error').hidden = true
    const secret = $<HTMLTextAreaElement>('secret')
    if (new TextEncoder().encode(secret.value).length > maxBytes) {
      showError(`The secret is too long: at most ${maxBytes} bytes.`)
      return
    }
    const button = $<HTMLButtonElement>('create-button')
    button.disabled = true
    try {
      const { ciphertext, key } = await sealShare(secret.value)
      const response = await fetch(api, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ciphertext, ttl: Number(ttl.value), reads: Number(reads.value) }),
      })
      if (!response.ok) throw new Error(await errorOf(response))
      const created = (await response.json()) as { id: string; expiresAt: string; reads: number }
      secret.value = ''
      $<HTMLInputElement>('link').value =
        `${location.origin}${location.pathname}#${shareFragment(created.id, key)}`
      $('created-note').textContent =
        `Opens ${created.reads === 1 ? 'once' : `${created.reads} times`}; expires ${new Date(created.expiresAt).toLocaleString()}. Send the whole link — the part after “#” is the key, and no one, not even this server, can open the secret without it.`
      $('create-form').hidden = true
      $('created').hidden = false
    } catch (error) {
      showError((error as Error).message)
    } finally {
      button.disabled = false
    }
  })
  $('copy').addEventListener('click', async () => {
    const link = $<HTMLInputElement>('link')
    link.select()
    await navigator.clipboard?.writeText(link.value).catch(() => undefined)
    $('copy').textContent = 'Copied'
  })
}

function setUpOpen(fragment: string): void {
  $('open').hidden = false
  let parts: { id: string; key: string }
  try {
    parts = parseShareFragment(fragment)
  } catch (error) {
    $('reveal').hidden = true
    showError((error as Error).message)
    return
  }
  $('reveal').addEventListener('click', async () => {
    $<HTMLButtonElement>('reveal').disabled = true
    try {
      const response = await fetch(`${api}/${parts.id}`, { cache: 'no-store' })
      // The key has done its job (or the share is gone): keep it out of the history from here on.
      history.replaceState(null, '', location.pathname)
      if (!response.ok) throw new Error(await errorOf(response))
      const share = (await response.json()) as { ciphertext: string; readsLeft: number }
      $<HTMLTextAreaElement>('plaintext').value = await openSealedShare(share.ciphertext, parts.key)
      $('revealed-note').textContent =
        share.readsLeft === 0
          ? 'This secret is now deleted from the server. Copy it somewhere safe.'
          : `It can be opened ${share.readsLeft} more time${share.readsLeft === 1 ? '' : 's'}.`
      $('reveal').hidden = true
      $('open-intro').hidden = true
      $('revealed').hidden = false
    } catch (error) {
      $('reveal').hidden = true
      showError((error as Error).message)
    }
  })
}

if (location.hash.length > 1) setUpOpen(location.hash)
else setUpCreate()
