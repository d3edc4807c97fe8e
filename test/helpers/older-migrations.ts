import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectPath } from '../../server/project-root.ts'
import type { Dialect } from './test-server.ts'

/**
 * A copy, under `root`, of the dialect's migrations that ends at the one tagged
 * `lastTag`: what an earlier version had, so a test can make the database that
 * version wrote and let this one migrate it, whatever migrations come later.
 */
export function olderMigrations(dialect: Dialect, root: string, lastTag: string): string {
  const folder = join(root, 'older-migrations')
  cpSync(projectPath('drizzle', dialect === 'postgres' ? 'pg' : 'sqlite'), folder, { recursive: true })
  const journalPath = join(folder, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] }
  const end = journal.entries.findIndex((entry) => entry.tag === lastTag) + 1
  if (end === 0) throw new Error(`no migration tagged ${lastTag}`)
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, end) }))
  return folder
}
