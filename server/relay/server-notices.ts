/**
 * What the server tells everyone on a board through its own presence entry,
 * which no client can write and which reaches the clients of other instances
 * too: that saving has been failing since when, that a restore replaced the
 * board, that the board is past its size limit.
 */
import type { BoardFullNotice, RestoreNotice, ServerPresence } from '../../shared/protocol.ts'

/** How long the clients are told of a restore: those who join meanwhile learn of it too. */
const RESTORE_NOTICE_MS = 10 * 60 * 1000

export type ServerNoticesOptions = {
  /** Since when (ISO time) the clients are to be told that saving is failing, or null. */
  savingFailingSince: () => string | null
  /** Sets the server's presence entry (RoomPresence.setServerState). */
  setServerState: (state: ServerPresence | null) => void
}

export class ServerNotices {
  /** The last restore, told to the clients for RESTORE_NOTICE_MS. */
  private restoreNotice: RestoreNotice | null = null
  private restoreNoticeTimer: NodeJS.Timeout | undefined
  /** Set while the board is past its size limit: it takes only deletions. */
  private fullNotice: BoardFullNotice | null = null

  constructor(private readonly options: ServerNoticesOptions) {}

  /** The board's size past its limit while it takes only deletions, or null. */
  get full(): BoardFullNotice | null {
    return this.fullNotice
  }

  setFull(notice: BoardFullNotice | null): void {
    this.fullNotice = notice
    this.publish()
  }

  /** Tells that a restore replaced the board, for RESTORE_NOTICE_MS. */
  announceRestore(notice: RestoreNotice): void {
    this.restoreNotice = notice
    clearTimeout(this.restoreNoticeTimer)
    this.restoreNoticeTimer = setTimeout(() => {
      this.restoreNotice = null
      this.publish()
    }, RESTORE_NOTICE_MS)
    this.restoreNoticeTimer.unref()
    this.publish()
  }

  /** The server's presence entry: what the clients must be told now, or none. */
  publish(): void {
    const savingFailingSince = this.options.savingFailingSince()
    const saving = savingFailingSince === null ? {} : { saving: 'failing' as const, since: savingFailingSince }
    const restored = this.restoreNotice === null ? {} : { restored: this.restoreNotice }
    const full = this.fullNotice === null ? {} : { full: this.fullNotice }
    const told = savingFailingSince !== null || this.restoreNotice !== null || this.fullNotice !== null
    this.options.setServerState(told ? { server: { ...saving, ...restored, ...full } } : null)
  }

  /** Nothing more is told: the room is unloaded. */
  destroy(): void {
    clearTimeout(this.restoreNoticeTimer)
  }
}
