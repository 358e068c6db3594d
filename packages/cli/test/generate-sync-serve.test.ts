/**
 * The commands that drive the library's generate, sync and server parts, through the real binary:
 * `generate` (dry run masked, then create-once writes to the Secrets Manager fake), `sync` (a
 * dockerconfigjson Secret into each labelled namespace of the Kubernetes fake), and `serve` (the HTTP
 * sidecar answering over loopback until SIGTERM).
 */
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startFake } from '@polysecret/testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type AwsProject, awsProject } from './support/aws-project.js'
import { cleanEnv, NODE_ARGS, runCli, SUBPROCESS_TIMEOUT } from './support/run-cli.js'

vi.setConfig({ testTimeout: SUBPROCESS_TIMEOUT, hookTimeout: SUBPROCESS_TIMEOUT })

let p: AwsProject
const cli = (args: string[]) => runCli(args, { cwd: p.dir })
beforeEach(async () => {
  p = await awsProject(
    { REG_USER: 'robot', REG_PASSWORD: 'registry-password-5521' },
    { DB_HOST: 'db.internal' },
  )
})
afterEach(() => p.stop())

describe('generate', () => {
  it('a dry run prints masked values and writes nothing; the real run writes once, then skips', async () => {
    writeFileSync(
      join(p.dir, 'gen.yaml'),
      'name: api\ngenerators:\n  token: { type: password, length: 40 }\nkeys:\n  API_TOKEN: "{{ .gen.token }}"\nto: [aws-sm]\n',
    )
    const dry = await cli(['generate', 'gen.yaml', '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain('API_TOKEN')
    expect(p.sm.state.find('API_TOKEN')).toBeUndefined()

    const real = await cli(['generate', 'gen.yaml'])
    expect(real.code).toBe(0)
    const written = p.sm.state.value('API_TOKEN') as string
    expect(written).toHaveLength(40)
    expect(real.stdout + real.stderr + dry.stdout + dry.stderr).not.toContain(written)

    const again = await cli(['generate', 'gen.yaml', '--json'])
    expect(JSON.parse(again.stdout).results.map((r: { status: string }) => r.status)).toEqual([
      'skipped-exists',
    ])
    expect(p.sm.state.value('API_TOKEN')).toBe(written)
  })
})

describe('sync', () => {
  it('writes a dockerconfigjson Secret into each labelled namespace; --dry-run writes nothing', async () => {
    const kube = await startFake('kubernetes', {
      namespaces: [
        { name: 'team-a', labels: { pull: 'ghcr' } },
        { name: 'other', labels: {} },
      ],
    })
    try {
      const spec = {
        type: 'kubernetes-namespaces',
        name: 'registry',
        kubeconfig: kube.kubeconfig,
        namespaceSelector: { matchLabels: { pull: 'ghcr' } },
        secrets: [
          {
            name: 'ghcr',
            format: 'dockerconfigjson',
            registry: { value: 'ghcr.io' },
            username: 'REG_USER',
            password: 'REG_PASSWORD',
          },
        ],
      }
      writeFileSync(join(p.dir, 'sync.json'), JSON.stringify(spec))
      const dry = await cli(['sync', 'sync.json', '--dry-run'])
      expect(dry.stderr).toBe('')
      expect(dry.code).toBe(0)
      expect(kube.state.get('secrets', 'team-a', 'ghcr')).toBeUndefined()

      const real = await cli(['sync', 'sync.json'])
      expect(real.code).toBe(0)
      const secret = kube.state.get('secrets', 'team-a', 'ghcr') as unknown as {
        type: string
        data: Record<string, string>
      }
      expect(secret.type).toBe('kubernetes.io/dockerconfigjson')
      const config = JSON.parse(Buffer.from(secret.data['.dockerconfigjson']!, 'base64').toString())
      expect(config.auths['ghcr.io'].password).toBe('registry-password-5521')
      expect(kube.state.get('secrets', 'other', 'ghcr')).toBeUndefined()
      expect(dry.stdout + real.stdout + dry.stderr + real.stderr).not.toContain('registry-password-5521')
    } finally {
      await kube.stop()
    }
  })
})

describe('serve', () => {
  it('serves the configured stores over loopback and stops on SIGTERM with exit 0', async () => {
    const child = spawn(process.execPath, [...NODE_ARGS, 'serve', '--port', '0'], {
      cwd: p.dir,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)
        if (match) resolve(match[1]!)
      })
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)))
    })
    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(200)
    const read = await fetch(`${url}/v1/secrets/DB_HOST`)
    expect(((await read.json()) as { value: string }).value).toBe('db.internal')
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
