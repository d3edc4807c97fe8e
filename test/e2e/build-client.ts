/**
 * The browser tests (test/e2e) load the built client from dist/client, so it
 * is built once per run, whenever a source of it is newer than the build (a
 * clean clone has no build at all).
 */
import { join } from 'node:path'
import { build } from 'vite'
import { builtSince } from '../helpers/newest-change.ts'

const ROOT = process.cwd()
const BUILT = join(ROOT, 'dist/client/index.html')
const SOURCES = ['client', 'shared', 'vite.config.ts', 'svelte.config.js', 'package-lock.json']

export async function buildClient(): Promise<void> {
  if (builtSince(BUILT, SOURCES.map((source) => join(ROOT, source)))) return
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'error' })
}
