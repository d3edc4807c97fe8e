#!/usr/bin/env node
// The `assay` command, run from the TypeScript sources through tsx so that it works on a fresh checkout
// with no build; `npm start` builds the server and runs the compiled dist/server instead.
import { register } from 'tsx/esm/api'

register()
await import('./main.ts')
