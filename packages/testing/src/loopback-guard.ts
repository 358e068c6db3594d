import dns from 'node:dns'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'

/**
 * Importing this module keeps the process on loopback: a TCP connection to anything but
 * 127.0.0.0/8, ::1 or `localhost` — whether through `net`, `tls`, `http(s)`, `fetch` or an SDK — and
 * a DNS query for any other name throw a {@link LoopbackGuardError} *before* a packet leaves. Unix
 * sockets stay allowed. It also switches off the cloud SDKs' metadata-server probing, which would
 * otherwise try 169.254.169.254 whenever credentials are missing.
 *
 * Use it as a vitest setup file:
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { setupFiles: ['@polysecret/testing/loopback-guard'] } })
 * ```
 */

/** Thrown when code under test tries to leave loopback. */
export class LoopbackGuardError extends Error {
  readonly code = 'ERR_POLYSECRET_LOOPBACK_GUARD'
  /** The host (or name) that was refused. */
  readonly host: string
  constructor(what: string, host: string) {
    super(
      `polysecret tests must not leave loopback: ${what} "${host}" was blocked. Point the client at a fake from @polysecret/testing (startFake) or at 127.0.0.1.`,
    )
    this.name = 'LoopbackGuardError'
    this.host = host
  }
}

/** Whether `host` is a loopback address or name: 127.0.0.0/8, ::1 (also IPv4-mapped), `localhost`. */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase()
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1)
  if (h.endsWith('.')) h = h.slice(0, -1)
  if (h === 'localhost' || h.endsWith('.localhost')) return true
  if (h.startsWith('::ffff:')) h = h.slice(7)
  if (net.isIPv4(h)) return h.startsWith('127.')
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1'
  return false
}

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket

/** Works out where `socket.connect(...)` is headed, following net's own argument rules. */
function target(args: unknown[]): { path?: string; host?: string; port?: unknown } {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0] // net passes normalized [options, cb] internally
  if (first !== null && typeof first === 'object') {
    const o = first as { path?: string | null; host?: string | null; port?: unknown }
    // net treats any truthy `path` as a unix socket; http passes `path: null` for TCP.
    if (o.path) return { path: o.path }
    return { host: o.host || 'localhost', port: o.port }
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { path: first }
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first }
}

const INSTALLED = Symbol.for('polysecret.loopbackGuard')

/**
 * Installs the guard (idempotent). Called on import; exported for runners that load it another way.
 */
export function installLoopbackGuard(): void {
  const g = globalThis as { [INSTALLED]?: boolean }
  if (g[INSTALLED]) return
  g[INSTALLED] = true

  process.env.METADATA_SERVER_DETECTION = 'none'
  process.env.AWS_EC2_METADATA_DISABLED = 'true'

  // Socket#connect is the one door every TCP client goes through: net.connect, tls.connect (TLSSocket
  // extends Socket), http(s) agents and undici all end up here, so one patch covers them.
  const originalConnect = net.Socket.prototype.connect as unknown as Connect
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const t = target(args)
    if (t.path === undefined && !isLoopbackHost(String(t.host))) {
      throw new LoopbackGuardError('TCP connection to', `${t.host}:${String(t.port)}`)
    }
    return originalConnect.apply(this, args)
  } as typeof net.Socket.prototype.connect

  guardDns(dns as unknown as Record<string, unknown>)
  guardDns(dns.promises as unknown as Record<string, unknown>)
  guardDns(dns.Resolver.prototype as unknown as Record<string, unknown>)
  guardDns(dns.promises.Resolver.prototype as unknown as Record<string, unknown>)
  // Make `import { lookup } from 'node:dns'` see the patched functions too.
  syncBuiltinESMExports()
}

const DNS_FUNCTIONS = [
  'lookup',
  'lookupService',
  'resolve',
  'resolve4',
  'resolve6',
  'resolveAny',
  'resolveCaa',
  'resolveCname',
  'resolveMx',
  'resolveNaptr',
  'resolveNs',
  'resolvePtr',
  'resolveSoa',
  'resolveSrv',
  'resolveTxt',
  'reverse',
]

function guardDns(target: Record<string, unknown>): void {
  for (const name of DNS_FUNCTIONS) {
    const original = target[name]
    if (typeof original !== 'function') continue
    target[name] = function guardedDns(this: unknown, host: unknown, ...rest: unknown[]) {
      // Thrown synchronously even for callback and promise forms: a rejected lookup is easy to swallow,
      // a throw is not.
      if (typeof host !== 'string' || !isLoopbackHost(host)) {
        throw new LoopbackGuardError(`DNS ${name} of`, String(host))
      }
      return (original as (...a: unknown[]) => unknown).call(this, host, ...rest)
    }
  }
}

installLoopbackGuard()
