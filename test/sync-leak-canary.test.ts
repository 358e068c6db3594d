/**
 * The leak canary for the namespace sync: a canary value travels from the source into Kubernetes
 * Secrets through every path the sync has — create, update, replace, conflict, policy refusal, a TLS
 * pair that does not match, a dry run, a store outage, continuous mode — and everything a person or a
 * log pipeline could see is captured: results (inspect, JSON), the masked diff text, audit lines,
 * stats, onError events, every error with its cause chain. The canary must appear nowhere, and
 * neither may a private key.
 */
import { inspect } from 'node:util'
import { ConfigManager, memory } from '@polysecret/core'
import { formatSyncResult, namespaceSync } from '@polysecret/kubernetes'
import { generateCertificate, startFake } from '@polysecret/testing'
import { expect, it } from 'vitest'
import { stopAfterEach } from './support/cleanup.js'

const CANARY = 'canary-5e1d7c3b-SYNC-LEAK'
const defer = stopAfterEach()

it('no sync output carries a value', async () => {
  const seen: string[] = []
  const see = (value: unknown) => {
    seen.push(inspect(value, { depth: 20, showHidden: true, getters: true }))
    try {
      seen.push(JSON.stringify(value) ?? '')
    } catch {
      // circular: inspect covers it
    }
    for (let e = value, depth = 0; e instanceof Error && depth < 10; depth++, e = e.cause as unknown)
      seen.push(e.message, e.stack ?? '', inspect(e, { showHidden: true, depth: 20 }))
  }
  const kube = await startFake('kubernetes', {
    namespaces: [
      { name: 'a', labels: { sync: 'on' } },
      { name: 'b', labels: { sync: 'on' } },
    ],
    secrets: { 'b/tok': { data: { token: 'foreign' } } },
  })
  defer(() => kube.stop())
  const mine = await generateCertificate()
  const other = await generateCertificate()
  const store = memory({ TOKEN: CANARY, CRT: mine.cert, KEY: other.key, USER: `u-${CANARY}` })
  const manager = new ConfigManager({ secrets: [store], cache: false })
  defer(() => manager.close())
  const target = namespaceSync({
    name: 'canary',
    kubeconfig: kube.kubeconfig,
    namespaceSelector: { matchLabels: { sync: 'on' } },
    sourceInterval: 10,
    retry: { baseDelay: 5, maxDelay: 10 },
    onAudit: see,
    onError: see,
    secrets: [
      { name: 'tok', data: { token: 'TOKEN' }, immutable: true },
      {
        name: 'pull',
        format: 'dockerconfigjson',
        registry: { value: 'r.io' },
        username: 'USER',
        password: 'TOKEN',
      },
      {
        name: 'git',
        format: 'git-credentials',
        url: { value: 'https://git.example' },
        username: 'USER',
        password: 'TOKEN',
      },
      { name: 'tls', format: 'tls', data: { 'tls.crt': 'CRT', 'tls.key': 'KEY' } },
    ],
  })
  const attempt = async (fn: () => Promise<unknown>) => {
    try {
      const result = await fn()
      see(result)
      if (result && typeof result === 'object' && 'changes' in result)
        seen.push(formatSyncResult(result as never))
    } catch (error) {
      see(error)
    }
  }
  await attempt(() => manager.sync(target, { dryRun: true }))
  await attempt(() => manager.sync(target)) // creates, a conflict in b, a TLS mismatch
  await store.set('TOKEN', `${CANARY}-2`)
  await attempt(() => manager.sync(target, { dryRun: true }))
  await attempt(() => manager.sync(target)) // replaces the immutable copy, updates the others
  kube.seed({ namespaces: [{ name: 'b', labels: {} }] })
  await attempt(() => manager.sync(target)) // removals
  await attempt(() =>
    manager.sync(
      namespaceSync({
        name: 'x',
        kubeconfig: kube.kubeconfig,
        namespaceSelector: {},
        secrets: [{ name: 't', data: { t: 'TOKEN' } }],
      }),
    ),
  )
  const running = await manager.sync(target, { watch: true })
  kube.seed({ namespaces: [{ name: 'c', labels: { sync: 'on' } }] })
  see(await running.nextPass())
  see(running.stats())
  see(target.stats())
  await running.close()
  kube.faults.errorRate(1, { status: 503 })
  await attempt(() => manager.sync(target)) // the API server failing
  kube.faults.clear()

  // The canary did reach the cluster — the outputs just never show it.
  const stored = kube.state.get('secrets', 'a', 'tok')!
  expect(Buffer.from((stored.data as Record<string, string>).token!, 'base64').toString()).toBe(`${CANARY}-2`)
  const all = seen.join('\n')
  expect(all.length).toBeGreaterThan(5_000)
  expect(all).toContain('tls.key does not belong to the certificate')
  expect(all).toContain('not managed by sync "canary"')
  expect(all).not.toContain(CANARY)
  expect(all).not.toContain('PRIVATE KEY')
  expect(all).not.toContain(Buffer.from(CANARY).toString('base64').slice(0, 16))
})
