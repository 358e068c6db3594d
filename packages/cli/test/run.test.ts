/**
 * `polysecret run`: the child gets the resolved configuration in its environment, only after it
 * validated; signals reach it; its exit status comes back (a signal death as 128+n).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import { cleanEnv, NODE_ARGS, project, runCli, SUBPROCESS_TIMEOUT } from './support/run-cli.js'

// Each test starts the CLI as a process (node + tsx); on a loaded machine that takes seconds.
vi.setConfig({ testTimeout: SUBPROCESS_TIMEOUT, hookTimeout: SUBPROCESS_TIMEOUT })

const ZOD = pathToFileURL(createRequire(import.meta.url).resolve('zod')).href

const files = {
  'polysecret.config.json': {
    secrets: [{ type: 'dotenv', path: '.env', name: 'local' }],
    parameters: [{ type: 'dotenv', path: '.env', name: 'local' }],
  },
  '.env': 'DB_HOST=db.internal\nDB_PORT=5432\nDB_PASSWORD=pw-for-child\n',
}

describe('run', () => {
  it('passes every key into the environment and the exit code back', async () => {
    const dir = project(files)
    const result = await runCli(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion for the child, not a template
      ['run', '--', 'sh', '-c', 'printf "%s:%s:%s" "$DB_HOST" "$DB_PORT" "${#DB_PASSWORD}"; exit 7'],
      { cwd: dir },
    )
    expect(result.stdout).toBe('db.internal:5432:12')
    expect(result.code).toBe(7)
  })

  it('--only: a missing key fails validation (exit 4) naming every missing key, and the command never starts', async () => {
    const dir = project(files)
    const marker = join(dir, 'started')
    const result = await runCli(
      ['run', '--only', 'DB_HOST,API_KEY', '--only', 'QUEUE_URL', '--', 'touch', marker],
      { cwd: dir },
    )
    expect(result.code).toBe(4)
    expect(result.stderr).toContain('API_KEY')
    expect(result.stderr).toContain('QUEUE_URL')
    expect(existsSync(marker)).toBe(false)
  })

  it('--schema: coerced and validated first; validate prints every problem at once (exit 4)', async () => {
    const schema = `import { z } from '${ZOD}'\nexport default z.object({ DB_HOST: z.string(), DB_PORT: z.coerce.number().max(1000), QUEUE_URL: z.string().url() })\n`
    const dir = project({ ...files, 'schema.mjs': schema })
    const validate = await runCli(['validate', '--schema', 'schema.mjs'], { cwd: dir })
    expect(validate.code).toBe(4)
    expect(validate.stderr).toContain('✖ DB_PORT')
    expect(validate.stderr).toContain('✖ QUEUE_URL')
    const run = await runCli(['run', '--schema', 'schema.mjs', '--', 'touch', join(dir, 'started')], {
      cwd: dir,
    })
    expect(run.code).toBe(4)
    expect(existsSync(join(dir, 'started'))).toBe(false)

    const good = project({
      ...files,
      'schema.mjs': `import { z } from '${ZOD}'\nexport const schema = z.object({ DB_HOST: z.string(), DB_PORT: z.coerce.number() })\n`,
    })
    expect((await runCli(['validate', '--schema', 'schema.mjs'], { cwd: good })).stdout).toBe(
      'ok: 2 keys valid\n',
    )
    const child = await runCli(
      [
        'run',
        '--schema',
        'schema.mjs',
        '--',
        'sh',
        '-c',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion for the child, not a template
        'printf "%s %s %s" "$DB_HOST" "$DB_PORT" "${DB_PASSWORD:-unset}"',
      ],
      { cwd: good },
    )
    expect(child.stdout).toBe('db.internal 5432 unset')
  })

  it('a child killed by a signal exits 128+n, as a shell reports it', async () => {
    const dir = project(files)
    expect((await runCli(['run', '--', 'sh', '-c', 'kill -TERM $$'], { cwd: dir })).code).toBe(143)
    expect((await runCli(['run', '--', 'sh', '-c', 'kill -KILL $$'], { cwd: dir })).code).toBe(137)
  })

  it('a command that does not exist is exit 127', async () => {
    const result = await runCli(['run', '--', 'no-such-command-here'], { cwd: project(files) })
    expect(result.code).toBe(127)
    expect(result.stderr).toBe(
      'polysecret: command not found: no-such-command-here. Check the name and PATH.\n',
    )
  })

  for (const [signal, code] of [
    ['SIGTERM', 42],
    ['SIGINT', 43],
  ] as const) {
    it(`forwards ${signal} to the child and passes its exit code back`, async () => {
      const dir = project(files)
      const script = `trap 'echo got-${signal}; exit ${code}' ${signal.slice(3)}; echo ready; while :; do sleep 0.05; done`
      const cli = spawn(process.execPath, [...NODE_ARGS, 'run', '--', 'sh', '-c', script], {
        cwd: dir,
        env: cleanEnv(),
      })
      let stdout = ''
      await new Promise<void>((resolve) => {
        cli.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk
          if (stdout.includes('ready')) resolve()
        })
      })
      // Only the CLI gets the signal (not its process group): reaching the child is the CLI's job.
      cli.kill(signal)
      const exit = await new Promise<number | null>((resolve) => cli.on('close', (c) => resolve(c)))
      expect(stdout).toContain(`got-${signal}`)
      expect(exit).toBe(code)
    })
  }
})
