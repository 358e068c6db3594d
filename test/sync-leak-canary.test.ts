/**
 * The leak canary for the namespace sync: a canary value travels from the source into Kubernetes
 * Secrets through every path the sync has — create, update, replace, conflict, policy refusal, a TLS
 * pair that does not match, a dry run, a store outage, continuous mode — and everything a person or a
 * log pipeline could see is captured: results (inspect, JSON), the masked diff text, audit lines,
 * stats, onError events, every error with its cause chain. The canary must appear nowhere, and
 * neither may a private key.
 */
import { ConfigManager, memory } from '@polysecret/core'
import { formatSyncResult, namespaceSync } from '@polysecret/kubernetes'
import { generateCertificate, startFake } from '@polysecret/testing'
import { expect, it } from 'vitest'
import { useLeakCanary } from './support/canary.js'
import { stopAfterEach } from './support/cleanup.js'

const CANARY = 'canary-5e1d7c3b-SYNC-LEAK'
const defer = stopAfterEach()
const canary = useLeakCanary()

it('no sync output carries a value', async () => {
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
    onAudit: (line) => canary.see('audit line', line),
    onError: (e) => canary.see('sync onError', e),
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
      canary.see('sync result', result)
      if (result && typeof result === 'object' && 'changes' in result)
        canary.see('sync result text', formatSyncResult(result as never))
    } catch (error) {
      canary.see('error', error)
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
  canary.see('sync result', await running.nextPass())
  canary.see('stats', running.stats())
  canary.see('stats', target.stats())
  await running.close()
  kube.faults.errorRate(1, { status: 503 })
  await attempt(() => manager.sync(target)) // the API server failing
  kube.faults.clear()

  // The canary did reach the cluster — the outputs just never show it.
  const stored = kube.state.get('secrets', 'a', 'tok')!
  expect(Buffer.from((stored.data as Record<string, string>).token!, 'base64').toString()).toBe(`${CANARY}-2`)
  const all = canary.text()
  expect(all.length).toBeGreaterThan(5_000)
  expect(all).toContain('tls.key does not belong to the certificate')
  expect(all).toContain('not managed by sync "canary"')
  // raw, base64 at any offset (what a Secret's data holds), hex, URL, JSON forms: test/support/canary.ts
  canary.expectNoLeak([CANARY, 'PRIVATE KEY'])
})
