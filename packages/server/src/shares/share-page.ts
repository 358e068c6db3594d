/**
 * The share web page: one HTML document that creates a share (no fragment) or opens one (`#id.key`),
 * its script (bundled from browser/share-app.ts) and its style, all from the server's own origin so
 * the Content-Security-Policy can forbid everything else: no inline script, no third-party anything,
 * `connect-src 'self'` so the page can talk only to this server.
 */
import type { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { SHARE_PAGE_SCRIPT } from './page-script.generated.js'
import type { ResolvedShareOptions } from './share-options.js'

const STYLE = `
:root { color-scheme: light; --accent: #2f5fd0; --muted: #667; --line: #c8ccd6; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: #1c1f26; }
main { max-width: 40rem; margin: 3rem auto; padding: 2rem; background: #fff; border: 1px solid var(--line); border-radius: 10px; }
header { display: flex; align-items: baseline; gap: .75rem; margin-bottom: 1.5rem; }
h1 { font-size: 1.25rem; margin: 0; letter-spacing: .02em; }
h2 { font-size: 1.4rem; margin: 0 0 .5rem; }
.tag, .note, footer { color: var(--muted); }
.note { font-size: .9rem; }
label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
.row { display: flex; gap: 1.5rem; flex-wrap: wrap; }
.row label { font-weight: 400; }
textarea, input, select { font: inherit; width: 100%; padding: .55rem .65rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: inherit; }
textarea { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; resize: vertical; }
select { width: auto; margin-left: .35rem; }
button { font: inherit; font-weight: 600; margin-top: 1.25rem; padding: .6rem 1.2rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; }
button:disabled { opacity: .6; cursor: progress; }
.copy { display: flex; gap: .5rem; align-items: center; }
.copy input { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .85rem; }
.copy button { margin-top: 0; }
#error { margin-top: 1.25rem; padding: .75rem 1rem; border-radius: 6px; background: #fdecec; color: #8a1c1c; }
footer { margin-top: 2rem; font-size: .8rem; border-top: 1px solid var(--line); padding-top: .75rem; }
[hidden] { display: none !important; }
`

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)

function html(config: ResolvedShareOptions & { pagePath: string }): string {
  const attr = (value: string | number) => `"${escapeHtml(String(value))}"`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>Share a secret · polysecret</title>
<link rel="stylesheet" href=${attr(`${config.pagePath}/app.css`)}>
<script defer src=${attr(`${config.pagePath}/app.js`)}></script>
</head>
<body data-api=${attr(config.apiPath)} data-max-bytes=${attr(config.maxBytes)} data-max-ttl=${attr(config.maxTtl)} data-default-ttl=${attr(config.defaultTtl)} data-max-reads=${attr(config.maxReads)}>
<main>
<header><h1>polysecret</h1><span class="tag">one-time secret sharing</span></header>
<section id="create" hidden>
<h2>Share a secret</h2>
<p class="note">It is encrypted in this browser before it is sent. The server keeps only ciphertext; the key travels in the link, after the “#”, which browsers never send to a server.</p>
<form id="create-form">
<label for="secret">Secret</label>
<textarea id="secret" rows="6" required autocomplete="off" spellcheck="false"></textarea>
<div class="row">
<label>Expires after<select id="ttl"></select></label>
<label>Can be opened<select id="reads"></select></label>
</div>
<button id="create-button" type="submit">Create link</button>
</form>
<div id="created" hidden>
<label for="link">Link</label>
<div class="copy"><input id="link" readonly><button id="copy" type="button">Copy</button></div>
<p class="note" id="created-note"></p>
</div>
</section>
<section id="open" hidden>
<h2>Someone shared a secret with you</h2>
<p class="note" id="open-intro">Revealing it deletes it from the server: it can be opened a limited number of times, then it is gone.</p>
<button id="reveal" type="button">Reveal the secret</button>
<div id="revealed" hidden>
<label for="plaintext">Secret</label>
<textarea id="plaintext" rows="6" readonly spellcheck="false"></textarea>
<p class="note" id="revealed-note"></p>
</div>
</section>
<p id="error" role="alert" hidden></p>
<footer>Encrypted end to end with AES-256-GCM in your browser · the server never sees the key</footer>
</main>
</body>
</html>
`
}

/** Adds the page's three routes to `app`, each with the page's security headers. */
export function addSharePage(app: Hono, config: ResolvedShareOptions & { pagePath: string }): void {
  const { pagePath } = config
  const page = html(config)
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      connectSrc: ["'self'"],
      imgSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: 'no-referrer',
    crossOriginOpenerPolicy: 'same-origin',
  })
  for (const path of [pagePath, `${pagePath}/*`]) {
    app.use(path, headers, async (c, next) => {
      await next()
      c.header('Cache-Control', 'no-store')
    })
  }
  app.get(pagePath, (c) => c.html(page))
  app.get(`${pagePath}/app.js`, (c) =>
    c.body(SHARE_PAGE_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  )
  app.get(`${pagePath}/app.css`, (c) => c.body(STYLE, 200, { 'Content-Type': 'text/css; charset=utf-8' }))
}
