/**
 * Without the optional libraries, generation says what to install — and everything that does not need
 * them still works. The import of an uninstalled package is simulated by replacing the import function
 * (this file only; vitest isolates modules per file).
 */
import { describe, expect, it } from 'vitest'
import { importers } from '../src/generation/optional-modules.js'
import { MissingDependencyError, renderGenerationSpec } from '../src/index.js'

const notInstalled = (name: string) => () => Promise.reject(new Error(`Cannot find package '${name}'`))

describe('optional generation libraries not installed', () => {
  it('a certificate asks for @peculiar/x509 and reflect-metadata; a password needs neither', async () => {
    importers.x509 = notInstalled('@peculiar/x509')
    const cert = renderGenerationSpec({
      generators: { tls: { type: 'certificate', subject: { commonName: 'x' } } },
      keys: { C: '{{ .gen.tls.cert }}' },
    })
    await expect(cert).rejects.toThrow(MissingDependencyError)
    await expect(cert).rejects.toMatchObject({
      code: 'MISSING_DEPENDENCY',
      packages: ['@peculiar/x509', 'reflect-metadata'],
      message: expect.stringContaining('npm i @peculiar/x509 reflect-metadata'),
    })
    const plain = await renderGenerationSpec({
      generators: { p: { type: 'password' } },
      keys: { P: '{{ .gen.p }}' },
    })
    expect(plain.P!.reveal()).toHaveLength(32)
  })

  it('the bcrypt helper asks for bcryptjs', async () => {
    importers.bcrypt = notInstalled('bcryptjs')
    const hash = renderGenerationSpec({
      generators: { p: { type: 'password', length: 10 } },
      keys: { H: '{{ .gen.p | bcrypt }}' },
    })
    await expect(hash).rejects.toMatchObject({
      code: 'MISSING_DEPENDENCY',
      packages: ['bcryptjs'],
      message:
        'The "bcrypt" template helper needs bcryptjs, which could not be loaded. Install it next to @polysecret/core: npm i bcryptjs',
    })
  })
})
