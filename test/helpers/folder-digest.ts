/** Every file in a folder with a digest of its bytes (a folder as such): what "nothing changed" compares. */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export function folderDigest(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((entry) => [entry.name, entry.isDirectory() ? 'a folder' : createHash('sha256').update(readFileSync(join(dir, entry.name))).digest('hex')]),
  )
}
