/**
 * A small hand-written SVG line chart of calls/s over time, one line per mode, on a log scale (the
 * modes differ by two orders of magnitude), with the store's quotas as dashed lines.
 */

export interface Series {
  readonly label: string
  readonly color: string
  /** Calls in each second, from t = 0. */
  readonly perSecond: readonly number[]
}

const W = 760
const H = 360
const M = { left: 64, right: 20, top: 36, bottom: 44 }

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

export function callsChart(
  title: string,
  series: readonly Series[],
  quotas: readonly { label: string; value: number }[],
) {
  const seconds = Math.max(...series.map((s) => s.perSecond.length))
  const top =
    10 **
    Math.ceil(Math.log10(Math.max(10, ...series.flatMap((s) => s.perSecond), ...quotas.map((q) => q.value))))
  const x = (t: number) => M.left + (t / seconds) * (W - M.left - M.right)
  // log10(1 + v): zero stays on the axis.
  const y = (v: number) => H - M.bottom - (Math.log10(1 + v) / Math.log10(1 + top)) * (H - M.top - M.bottom)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ]
  for (let p = 1; p <= top; p *= 10) {
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(p).toFixed(1)}" y2="${y(p).toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 6}" y="${(y(p) + 4).toFixed(1)}" text-anchor="end">${p.toLocaleString('en-US')}</text>`,
    )
  }
  const step = seconds > 900 ? 300 : seconds > 300 ? 60 : 30
  for (let t = 0; t <= seconds; t += step) {
    out.push(
      `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#f0f0f0"/>`,
      `<text x="${x(t).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${t}</text>`,
    )
  }
  out.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">time (s, virtual)</text>`,
    `<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">calls/s to the store (log)</text>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#333"/>`,
  )
  for (const q of quotas) {
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(q.value).toFixed(1)}" y2="${y(q.value).toFixed(1)}" stroke="#999" stroke-dasharray="5 4"/>`,
      `<text x="${W - M.right - 4}" y="${(y(q.value) - 4).toFixed(1)}" text-anchor="end" fill="#666">${esc(q.label)}</text>`,
    )
  }
  series.forEach((s, i) => {
    const points = s.perSecond.map((v, t) => `${x(t + 0.5).toFixed(1)},${y(v).toFixed(1)}`).join(' ')
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${points}"/>`,
      `<rect x="${M.left + 12}" y="${M.top + 8 + i * 18}" width="14" height="3" fill="${s.color}"/>`,
      `<text x="${M.left + 32}" y="${M.top + 13 + i * 18}">${esc(s.label)}</text>`,
    )
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
