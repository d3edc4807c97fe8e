/** Editing sessions from the log's rows: one person's commits no further apart than a few minutes are one session. */
import { EDIT_SESSION_GAP_MS } from '../../shared/history-model.ts'
import type { LogRowInfo } from '../storage/storage.ts'

export type RawSession = { origin: string; from: string; to: string; edits: number }

/** `rows` oldest first; sessions newest first (by their last edit). */
export function editSessions(rows: readonly LogRowInfo[], gapMs = EDIT_SESSION_GAP_MS): RawSession[] {
  const open = new Map<string, RawSession>()
  const sessions: RawSession[] = []
  for (const row of rows) {
    const current = open.get(row.origin)
    if (current && Date.parse(row.at) - Date.parse(current.to) <= gapMs) {
      if (row.at > current.to) current.to = row.at
      current.edits++
      continue
    }
    const session = { origin: row.origin, from: row.at, to: row.at, edits: 1 }
    sessions.push(session)
    open.set(row.origin, session)
  }
  return sessions.sort((a, b) => (a.to < b.to ? 1 : a.to > b.to ? -1 : 0))
}
