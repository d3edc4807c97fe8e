/**
 * The audit entry for reading a board's history: one per person, board and
 * kind of read (its sessions, a card's changes, the board as of a moment: one
 * per moment asked) every ten minutes, the first read's detail kept. That says
 * who read what without flooding the log: the inspector reads a card's changes
 * on every selection, and a reviewer who read the sessions a thousand times
 * pushed their own export out of the audit log's view, which shows the newest
 * thousand entries.
 */
import type { Principal } from '../access/access.ts'
import { audit, type AuditDetail } from '../access/audit.ts'
import type { Services } from '../services.ts'

const REPEAT_WITHIN_MS = 10 * 60_000
/** People × boards × kinds of read (and moments) remembered at most; the oldest are forgotten first. */
const REMEMBERED = 10_000

export type HistoryRead = 'as-of' | 'sessions' | 'changes'

export class HistoryAudit {
  private readonly lastWritten = new Map<string, number>()

  async viewed(services: Pick<Services, 'storage' | 'logger'>, by: Principal, boardId: string, read: HistoryRead, detail: AuditDetail = {}): Promise<void> {
    const key = `${by.userId ?? by.name}\u0000${boardId}\u0000${read}\u0000${read === 'as-of' ? String(detail.asOf) : ''}`
    const now = Date.now()
    const last = this.lastWritten.get(key)
    if (last !== undefined && now - last < REPEAT_WITHIN_MS) return
    this.lastWritten.delete(key)
    this.lastWritten.set(key, now)
    if (this.lastWritten.size > REMEMBERED) this.lastWritten.delete(this.lastWritten.keys().next().value!)
    await audit(services, { actor: by, action: 'history-viewed', boardId, detail: { read, ...detail } })
  }
}

/** One per process: the ten minutes are counted per person and board wherever they read from. */
export const historyAudit = new HistoryAudit()
