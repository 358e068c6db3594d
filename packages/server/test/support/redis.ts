/**
 * A real redis-server (Debian's `redis-server` package) for tests: started on a free loopback port
 * with a temporary directory, no persistence unless asked (`SAVE` still writes dump.rdb there), and
 * stopped — process killed, directory removed — by `stop()`. No mock: the tests see real Redis
 * semantics (Lua atomicity, key expiry).
 *
 * @example
 * ```ts
 * const redis = await startRedis()
 * afterAll(() => redis.stop())
 * const store = redisShareStore({ url: redis.url })
 * ```
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A running redis-server. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** The server's working directory (where `SAVE` writes dump.rdb). */
  readonly dir: string
  /** Kills the server and removes its directory. */
  stop(): Promise<void>
}

const BINARY = process.env.REDIS_SERVER ?? 'redis-server'

/** A port that was free a moment ago (redis-server cannot be told to pick one itself). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      BINARY,
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'yes',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    // A server that neither gets ready nor exits is killed, so no stray redis-server outlives the test.
    const deadline = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`redis-server did not get ready in 15 s:\n${output.slice(-2000)}`))
    }, 15_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (/Ready to accept connections/.test(output)) {
        clearTimeout(deadline)
        child.stdout!.off('data', onData)
        child.off('exit', onExit)
        resolve(child)
      }
    }
    const onExit = (code: number | null) => {
      clearTimeout(deadline)
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${output.slice(-2000)}`))
    }
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error('redis-server is not installed: apt-get install -y redis-server (or set REDIS_SERVER).')
          : error,
      ),
    )
    child.once('exit', onExit)
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
  })
}

/** Starts a redis-server on loopback. Retries with another port if the chosen one was taken meanwhile. */
export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'polysecret-redis-'))
  let lastError: unknown
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort()
    let child: ChildProcess
    try {
      child = await launch(port, dir)
    } catch (error) {
      lastError = error
      if ((error as Error).message.includes('not installed')) break
      continue
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      dir,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve))
          child.kill('SIGKILL')
          await exited
        }
        await rm(dir, { recursive: true, force: true })
      },
    }
  }
  await rm(dir, { recursive: true, force: true })
  throw lastError
}
