/**
 * The audit entry for reading a board's history. Showing the board as of a
 * time and listing its sessions are each written; the attribution shown in
 * the inspector is read on every selection, so one entry per person, board
 * and ten minutes says that they read it without flooding the log.
 */
import type { Principal } from '../access/access.ts'
import { audit, type AuditDetail } from '../access/audit.ts'
import type { Services } from '../services.ts'

const REPEAT_WITHIN_MS = 10 * 60_000
/** People × boards remembered at most; the oldest are forgotten first. */
const REMEMBERED = 10_000

export type HistoryRead = 'as-of' | 'sessions' | 'changes'

export class HistoryAudit {
  private readonly lastWritten = new Map<string, number>()

  async viewed(services: Pick<Services, 'storage' | 'logger'>, by: Principal, boardId: string, read: HistoryRead, detail: AuditDetail = {}): Promise<void> {
    if (read === 'changes') {
      const key = `${by.userId ?? by.name}\u0000${boardId}`
      const now = Date.now()
      const last = this.lastWritten.get(key)
      if (last !== undefined && now - last < REPEAT_WITHIN_MS) return
      this.lastWritten.delete(key)
      this.lastWritten.set(key, now)
      if (this.lastWritten.size > REMEMBERED) this.lastWritten.delete(this.lastWritten.keys().next().value!)
    }
    await audit(services, { actor: by, action: 'history-viewed', boardId, detail: { read, ...detail } })
  }
}

/** One per process: the ten minutes are counted per person and board wherever they read from. */
export const historyAudit = new HistoryAudit()
