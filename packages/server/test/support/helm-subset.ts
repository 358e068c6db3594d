import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'

/**
 * Renders our Helm chart without the helm binary (not installable from Debian here): a small
 * interpreter for the subset of Go templates the chart uses — `{{ .Values.x }}`, `.Release.*`,
 * `.Chart.*`, `if`/`else`/`end`, `define`/`include`, `eq`/`ne`, and the pipes `toYaml`, `nindent`,
 * `indent`, `quote` — with Go's `{{-`/`-}}` whitespace trimming. Anything else throws, so a template
 * that strays outside the subset fails the test instead of rendering wrong. The chart stays a real
 * Helm chart: `helm template` renders the same output.
 */

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; expr: string }
  | { kind: 'if'; cond: string; yes: Node[]; no: Node[] }

interface Scope {
  readonly Values: unknown
  readonly Release: { Name: string; Namespace: string }
  readonly Chart: { Name: string; AppVersion: string; Version: string }
}

export interface Chart {
  readonly values: Record<string, unknown>
  render(
    overrides?: Record<string, unknown>,
    release?: { name?: string; namespace?: string },
  ): Record<string, any>[]
}

export function loadChart(dir: string): Chart {
  const meta = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as {
    name: string
    appVersion: string
    version: string
  }
  const values = parse(readFileSync(join(dir, 'values.yaml'), 'utf8')) as Record<string, unknown>
  const files = readdirSync(join(dir, 'templates')).sort()
  const defines = new Map<string, Node[]>()
  const templates: Node[][] = []
  for (const f of files) {
    const nodes = parseTemplate(readFileSync(join(dir, 'templates', f), 'utf8'), defines)
    if (!f.startsWith('_')) templates.push(nodes)
  }
  return {
    values,
    render(overrides = {}, release = {}) {
      const scope: Scope = {
        Values: merge(values, overrides),
        Release: { Name: release.name ?? 'polysecret', Namespace: release.namespace ?? 'polysecret' },
        Chart: { Name: meta.name, AppVersion: meta.appVersion, Version: meta.version },
      }
      const out = templates.map((t) => run(t, scope, defines)).join('\n---\n')
      return out
        .split(/^---$/m)
        .map((doc) => parse(doc) as Record<string, any> | null)
        .filter((d): d is Record<string, any> => d !== null && typeof d === 'object')
    },
  }
}

function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v)
  return out
}
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Splits text and actions, applying `{{-` / `-}}` trimming, then nests if/else/end and define/end. */
function parseTemplate(source: string, defines: Map<string, Node[]>): Node[] {
  const tokens: Node[] = []
  const re = /\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g
  let last = 0
  let trimNext = false
  for (let m = re.exec(source); m; m = re.exec(source)) {
    let text = source.slice(last, m.index)
    if (trimNext) text = text.replace(/^\s+/, '')
    if (m[1] === '-') text = text.replace(/\s+$/, '')
    if (text) tokens.push({ kind: 'text', text })
    tokens.push({ kind: 'action', expr: m[2]! })
    trimNext = m[3] === '-'
    last = re.lastIndex
  }
  let tail = source.slice(last)
  if (trimNext) tail = tail.replace(/^\s+/, '')
  if (tail) tokens.push({ kind: 'text', text: tail })

  let i = 0
  const block = (inside: 'top' | 'if' | 'define'): { body: Node[]; ended: 'else' | 'end' | 'eof' } => {
    const body: Node[] = []
    while (i < tokens.length) {
      const t = tokens[i++]!
      if (t.kind !== 'action') {
        body.push(t)
        continue
      }
      const [word, ...rest] = t.expr.split(/\s+/)
      if (word === 'end' || word === 'else') {
        if (inside === 'top') throw new Error(`unexpected {{ ${word} }}`)
        return { body, ended: word }
      }
      if (word === 'if') {
        const then = block('if')
        const otherwise = then.ended === 'else' ? block('if').body : []
        body.push({ kind: 'if', cond: rest.join(' '), yes: then.body, no: otherwise })
      } else if (word === 'define') {
        const name = JSON.parse(rest.join(' ')) as string
        defines.set(name, block('define').body)
      } else body.push(t)
    }
    if (inside !== 'top') throw new Error('missing {{ end }}')
    return { body, ended: 'eof' }
  }
  return block('top').body
}

function run(nodes: Node[], scope: Scope, defines: Map<string, Node[]>): string {
  let out = ''
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text
    else if (n.kind === 'if')
      out += run(truthy(evaluate(n.cond, scope, defines)) ? n.yes : n.no, scope, defines)
    else {
      const v = evaluate(n.expr, scope, defines)
      out += typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v)
    }
  }
  return out
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0
  if (isObject(v)) return Object.keys(v).length > 0
  return Boolean(v)
}

function evaluate(expr: string, scope: Scope, defines: Map<string, Node[]>): unknown {
  const stages = expr.split('|').map((s) => s.trim())
  let value = command(words(stages[0]!), scope, defines, undefined, false)
  for (const stage of stages.slice(1)) value = command(words(stage), scope, defines, value, true)
  return value
}

function words(text: string): string[] {
  return text.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? []
}

function command(
  w: string[],
  scope: Scope,
  defines: Map<string, Node[]>,
  piped: unknown,
  hasPipe: boolean,
): unknown {
  const [name, ...args] = w
  const arg = (a: string) => operand(a, scope)
  const all = hasPipe ? [...args.map(arg), piped] : args.map(arg)
  switch (name) {
    case 'toYaml':
      return stringify(all[0]).replace(/\n$/, '')
    case 'nindent':
    case 'indent': {
      const pad = ' '.repeat(Number(args[0]))
      const text = String(all[1] ?? '')
        .split('\n')
        .map((l) => pad + l)
        .join('\n')
      return name === 'nindent' ? `\n${text}` : text
    }
    case 'quote':
      return JSON.stringify(String(all[0]))
    case 'eq':
      return all[0] === all[1]
    case 'ne':
      return all[0] !== all[1]
    case 'include': {
      const body = defines.get(JSON.parse(args[0]!) as string)
      if (!body || args[1] !== '.')
        throw new Error(`include ${args[0]} ${args[1]}: unknown template or context`)
      return run(body, scope, defines)
    }
    default:
      if (w.length === 1 && !hasPipe) return operand(name!, scope)
      throw new Error(`template function not in the supported subset: ${name}`)
  }
}

function operand(a: string, scope: Scope): unknown {
  if (a.startsWith('"')) return JSON.parse(a)
  if (/^-?\d+$/.test(a)) return Number(a)
  if (!a.startsWith('.')) throw new Error(`unsupported operand ${a}`)
  let v: unknown = scope
  for (const part of a.slice(1).split('.')) v = isObject(v) ? v[part] : undefined
  return v
}
