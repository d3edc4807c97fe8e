/**
 * Vitest global set-up: the browser tests load the built client from
 * dist/client, so it is built here, once per run, whenever a source of it is
 * newer than the build (a clean clone has no build at all).
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'vite'

const ROOT = process.cwd()
const BUILT = join(ROOT, 'dist/client/index.html')
const SOURCES = ['client', 'shared', 'vite.config.ts', 'svelte.config.js', 'package-lock.json']

function newestChange(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)))
  return newest
}

export default async function buildClient(): Promise<void> {
  const sourcesChanged = Math.max(...SOURCES.map((source) => join(ROOT, source)).filter(existsSync).map(newestChange))
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= sourcesChanged) return
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'error' })
}
