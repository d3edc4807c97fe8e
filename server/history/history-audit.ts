/**
 * The audit entry for reading a board's history: one per person, board and
 * kind of read (its sessions, a card's changes, the board as of a moment: one
 * per version of the board read) every ten minutes, the first read's detail
 * kept. That says who read what without flooding the log: the inspector reads
 * a card's changes on every selection, and a reviewer who read the sessions a
 * thousand times pushed their own export out of the audit log's view.
 *
 * A read of the board as of a moment is told apart by what it resolved to
 * (the content hash of the board rebuilt), never by the moment asked: asking
 * for the same board at T+1 ms, T+2 ms, … wrote one entry each, 30,000 in a
 * minute. The hash is also in the entry, so it names the version seen.
 */
import type { Principal } from '../access/access.ts'
import { audit, type AuditDetail } from '../access/audit.ts'
import type { Services } from '../services.ts'

const REPEAT_WITHIN_MS = 10 * 60_000
/** People × boards × kinds of read (and versions) remembered at most; the oldest are forgotten first. */
const REMEMBERED = 10_000

/** What was read; `seen` names the version of the board an as-of read showed (its content hash). */
export type HistoryRead = { read: 'sessions' | 'changes' } | { read: 'as-of'; seen: string }

type AuditServices = Pick<Services, 'storage' | 'logger'>

export class HistoryAudit {
  private readonly lastWritten = new Map<string, number>()

  async viewed(services: AuditServices, by: Principal, boardId: string, what: HistoryRead, detail: AuditDetail = {}): Promise<void> {
    const key = `${by.userId ?? by.name}\u0000${boardId}\u0000${what.read}\u0000${what.read === 'as-of' ? what.seen : ''}`
    const now = Date.now()
    const last = this.lastWritten.get(key)
    if (last !== undefined && now - last < REPEAT_WITHIN_MS) return
    this.lastWritten.delete(key)
    this.lastWritten.set(key, now)
    if (this.lastWritten.size > REMEMBERED) this.lastWritten.delete(this.lastWritten.keys().next().value!)
    try {
      await audit(services, { actor: by, action: 'history-viewed', boardId, detail: readDetail(what, detail) })
    } catch (error) {
      // Not written, so not seen: the next read writes it.
      if (this.lastWritten.get(key) === now) this.lastWritten.delete(key)
      throw error
    }
  }

  /**
   * A read made but refused its reader, who lost the right to it meanwhile
   * (audited-answer.ts): each is written, as only the reads in flight as the
   * right goes can be so refused, and none counts as viewed, so a reader
   * given the right back has their next read audited.
   */
  async refused(services: AuditServices, by: Principal, boardId: string, what: HistoryRead, detail: AuditDetail = {}): Promise<void> {
    await audit(services, { actor: by, action: 'history-view-failed', boardId, detail: { ...readDetail(what, detail), refusal: 'right-lost' } })
  }
}

/** The part read, the request's own detail, and for a read as of a moment the version seen (its content hash). */
function readDetail(what: HistoryRead, detail: AuditDetail): AuditDetail {
  const seen: AuditDetail = what.read === 'as-of' ? { contentHash: what.seen } : {}
  return { read: what.read, ...detail, ...seen }
}

/** One per process: the ten minutes are counted per person and board wherever they read from. */
export const historyAudit = new HistoryAudit()
