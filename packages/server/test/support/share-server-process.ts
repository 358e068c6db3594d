/**
 * A share server in a process of its own, for tests that need two processes on one store (the
 * embedded store's cross-process lock). Run with `node --import tsx --conditions=source`; argv: the
 * store path and its key (hex). Prints the server URL on stdout, then serves until killed.
 */
import { embeddedShareStore } from '../../src/shares/embedded-store.js'
import { startShareServer } from './share-server.js'

const [path, key] = process.argv.slice(2) as [string, string]
const server = await startShareServer({ store: embeddedShareStore({ path, key, sweepIntervalMs: 0 }) })
process.stdout.write(`${server.url}\n`)
