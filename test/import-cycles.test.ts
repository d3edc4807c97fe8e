/**
 * No import circles: files stand on the ones below them (client and server on
 * shared, the HTTP layer on the relay and storage, and so on), so that each
 * can be read, changed and tested from the bottom up.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { importCircles, importsOf, sourceFiles } from './helpers/import-graph.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const FOLDERS = ['server', 'shared', 'client/src', 'drizzle', 'test', 'bench']

describe('imports', () => {
  it('form no circle anywhere in the project', () => {
    expect(importCircles(ROOT, sourceFiles(ROOT, FOLDERS))).toEqual([])
  })

  it('are read the way the circle check needs: type-only, dynamic and Svelte imports count', () => {
    expect(importsOf(ROOT, 'server/cli/commands.ts')).toContain('server/cli/serve.ts')
    expect(importsOf(ROOT, 'server/relay/room-extension.ts')).toContain('server/relay/room.ts')
    expect(importsOf(ROOT, 'client/src/App.svelte').length).toBeGreaterThan(0)
    expect(importsOf(ROOT, 'server/cli/assay.js')).toEqual(['server/cli/main.ts'])
  })
})
