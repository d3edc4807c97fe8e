/** When a build is stale: the newest modification time among sources, folders walked. */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function newestChange(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)))
  return newest
}

/** Whether `built` exists and is newer than every file under `sources` (paths that do not exist are left out). */
export function builtSince(built: string, sources: string[]): boolean {
  if (!existsSync(built)) return false
  const sourcesChanged = Math.max(...sources.filter(existsSync).map(newestChange))
  return statSync(built).mtimeMs >= sourcesChanged
}
