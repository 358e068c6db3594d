/**
 * A wire-level fake from @polysecret/testing in its own node process, so the CPU it spends answering
 * requests is not counted as client time in a wall-clock benchmark. The parent talks to it over IPC:
 * {@link startFakeProcess} returns the endpoint and the few controls the benchmarks use.
 *
 * Run as a script (by `fork`), this file is the child: it starts the fake named in the first message,
 * answers one message per control call, and stops the fake when the parent disconnects.
 */
import { fork } from 'node:child_process'
import type {
  AppConfigFake,
  AzureClientOptions,
  FakeServiceName,
  FakeServices,
  GcpClientOptions,
  GcpTransport,
  KeyVaultClientOptions,
  KeyVaultFake,
} from '@polysecret/testing'

type Command =
  | { id: number; op: 'latency'; ms: number }
  | { id: number; op: 'clearFaults' }
  | { id: number; op: 'resetRequests' }
  | { id: number; op: 'requestsByOperation' }
  | { id: number; op: 'openConnections' }
  | { id: number; op: 'setNow'; now: number }
  | { id: number; op: 'seed'; seed: unknown }
  | { id: number; op: 'timeline' }
  | { id: number; op: 'injected' }

type WithoutId<C> = C extends unknown ? Omit<C, 'id'> : never

/** The controls of a fake running in a child process. */
export interface FakeProcess {
  readonly endpoint: string
  /** Adds `ms` of latency to every request (`fake.faults.latency(ms)`). */
  latency(ms: number): Promise<void>
  clearFaults(): Promise<void>
  resetRequests(): Promise<void>
  requestsByOperation(): Promise<Record<string, number>>
  /** TCP connections open to the fake right now (`fake.openConnections`). */
  openConnections(): Promise<number>
  /** Virtual time only (started with `virtualNow`): sets the fake's clock (epoch ms). */
  setNow(now: number): Promise<void>
  /**
   * `fake.seed(seed)` for fakes that have it, without a request: items of a secrets store (e.g. a new
   * version of a secret), Kubernetes namespaces and Secrets.
   */
  seed(seed: unknown): Promise<void>
  /** Kubernetes fake only: its kubeconfig (`fake.kubeconfig`). */
  readonly kubeconfig?: string
  /** Requests per operation per whole second of the fake's clock: `{ [operation]: { [second]: n } }`. */
  timeline(): Promise<Record<string, Record<string, number>>>
  /** Faults injected so far by kind (`fake.faults.injected`): throttles include quota throttles. */
  injected(): Promise<Record<string, number>>
  /**
   * Google fakes only: constructor options for an official `@google-cloud/*` client, built in this
   * process (channel credentials and auth clients cannot cross IPC), as the fake's own
   * `clientOptions(transport)` builds them.
   */
  gcpClientOptions(transport: GcpTransport): Promise<GcpClientOptions>
  /**
   * Azure fakes only: what the official client needs against the fake (its `ca` in `tlsOptions`; for Key
   * Vault also challenge-resource verification off), as the fake's own `clientOptions`. The credential
   * is rebuilt in the parent with `fakeTokenCredential({ tokenKey })`, with the `tokenKey` the fake was
   * started with.
   */
  readonly azure?: {
    readonly ca: string
    readonly clientOptions: AzureClientOptions | KeyVaultClientOptions
    /** App Configuration only: the HMAC access key's connection string. */
    readonly connectionString?: string
  }
  [Symbol.asyncDispose](): Promise<void>
}

/** What the child reports once its fake listens. */
interface Started {
  readonly endpoint: string
  readonly host: string
  readonly port: number
  readonly projectId?: string
  readonly azure?: FakeProcess['azure']
  readonly kubeconfig?: string
}

/** The options `startGcpFake`'s `clientOptions` returns, rebuilt from the fake's address. */
async function gcpClientOptions(started: Started, transport: GcpTransport): Promise<GcpClientOptions> {
  const [grpc, { OAuth2Client }] = await Promise.all([import('@grpc/grpc-js'), import('google-auth-library')])
  if (started.projectId === undefined) throw new TypeError('gcpClientOptions: not a Google fake')
  const authClient = new OAuth2Client()
  authClient.setCredentials({ access_token: 'fake-access-token', expiry_date: Date.now() + 24 * 3600_000 })
  const common = { apiEndpoint: started.host, port: started.port, projectId: started.projectId, authClient }
  return transport === 'grpc'
    ? {
        ...common,
        sslCreds: grpc.credentials.createInsecure(),
        grpc,
        'grpc.initial_reconnect_backoff_ms': 50,
      }
    : { ...common, fallback: true, protocol: 'http' }
}

/** Starts `service` in a child node process (tsx, source conditions) and waits until it listens. */
export async function startFakeProcess<S extends FakeServiceName>(
  service: S,
  options: FakeServices[S]['options'],
  /** Run the fake on a clock the parent sets (`setNow`), starting at this epoch ms. */
  virtualNow?: number,
): Promise<FakeProcess> {
  const child = fork(import.meta.filename, ['--child'], {
    execArgv: ['--import', 'tsx', '--conditions=source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const pending = new Map<number, (result: unknown) => void>()
  let nextId = 0
  const started = await new Promise<Started>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`fake process exited with code ${code}`)))
    child.once('message', (m) => resolve(m as Started))
    child.send({ service, options, virtualNow })
  })
  child.on('message', (m) => {
    const { id, result } = m as { id: number; result: unknown }
    pending.get(id)?.(result)
    pending.delete(id)
  })
  const call = <T>(command: WithoutId<Command>) =>
    new Promise<T>((resolve) => {
      const id = nextId++
      pending.set(id, resolve as (result: unknown) => void)
      child.send({ ...command, id })
    })
  return {
    endpoint: started.endpoint,
    latency: (ms) => call({ op: 'latency', ms }),
    clearFaults: () => call({ op: 'clearFaults' }),
    resetRequests: () => call({ op: 'resetRequests' }),
    requestsByOperation: () => call({ op: 'requestsByOperation' }),
    openConnections: () => call({ op: 'openConnections' }),
    setNow: (now) => call({ op: 'setNow', now }),
    seed: (seed) => call({ op: 'seed', seed }),
    ...(started.kubeconfig !== undefined && { kubeconfig: started.kubeconfig }),
    timeline: () => call({ op: 'timeline' }),
    injected: () => call({ op: 'injected' }),
    gcpClientOptions: (transport) => gcpClientOptions(started, transport),
    ...(started.azure && { azure: started.azure }),
    async [Symbol.asyncDispose]() {
      child.removeAllListeners('exit')
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.disconnect()
      await exited
    },
  }
}

/** What the parent needs of an Azure fake to build its clients (the credential it rebuilds itself). */
function azureOf(fake: AppConfigFake | KeyVaultFake): NonNullable<FakeProcess['azure']> {
  return {
    ca: fake.ca,
    clientOptions: fake.clientOptions,
    ...('connectionString' in fake && { connectionString: fake.connectionString }),
  }
}

async function runChild() {
  await import('@polysecret/testing/loopback-guard')
  const { startFake } = await import('@polysecret/testing')
  process.once('message', async (m) => {
    const { service, options, virtualNow } = m as {
      service: FakeServiceName
      options: Record<string, unknown>
      virtualNow?: number
    }
    let now = virtualNow ?? 0
    const clock = virtualNow === undefined ? {} : { now: () => now }
    const fake = await startFake(service, { ...options, ...clock } as never)
    process.on('message', (raw) => {
      const command = raw as Command
      let result: unknown
      if (command.op === 'latency') fake.faults.latency(command.ms)
      else if (command.op === 'clearFaults') fake.faults.clear()
      else if (command.op === 'resetRequests') fake.requests.reset()
      else if (command.op === 'openConnections') result = fake.openConnections
      else if (command.op === 'setNow') now = command.now
      else if (command.op === 'seed') (fake as { seed(s: unknown): void }).seed(command.seed)
      else if (command.op === 'timeline') {
        const out: Record<string, Record<string, number>> = {}
        for (const r of fake.requests.all()) {
          const second = String(Math.floor(r.at / 1000))
          const row = out[r.operation] ?? {}
          row[second] = (row[second] ?? 0) + 1
          out[r.operation] = row
        }
        result = out
      } else if (command.op === 'injected')
        result = Object.fromEntries(
          (['error', 'throttle', 'reset', 'hang', 'down'] as const).map((k) => [k, fake.faults.injected(k)]),
        )
      else result = fake.requests.byOperation()
      process.send!({ id: command.id, result })
    })
    process.once('disconnect', () => void fake.stop().then(() => process.exit(0)))
    const started: Started = {
      endpoint: fake.endpoint,
      host: fake.host,
      port: fake.port,
      ...('projectId' in fake && { projectId: fake.projectId }),
      ...(service.startsWith('azure-') && { azure: azureOf(fake as AppConfigFake | KeyVaultFake) }),
      ...('kubeconfig' in fake && { kubeconfig: fake.kubeconfig }),
    }
    process.send!(started)
  })
}

if (process.argv[2] === '--child') await runChild()
