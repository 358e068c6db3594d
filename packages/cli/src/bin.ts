#!/usr/bin/env node
import { main } from './program.js'

// Libraries' process warnings (an SDK's Node-version notice) are noise around the one-line answer an
// operator or a script reads; they are shown with --debug only.
process.removeAllListeners('warning')
if (process.argv.includes('--debug')) process.on('warning', (warning) => console.error(warning))

process.exitCode = await main(process.argv.slice(2))
