#!/usr/bin/env node
// The `assay` command. The server is TypeScript run through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api'

register()
await import('./main.ts')
