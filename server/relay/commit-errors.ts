/**
 * Why a server-side read or change of a room was not served. The room keeps
 * every change it accepted in memory while its commits fail (room.ts), so an
 * HTTP request is never left waiting for a database that refuses writes: it is
 * answered at once, or after the room's commit wait, with what became of it.
 */
import { boardFullMessage, type BoardFullNotice } from '../../shared/protocol.ts'

/** The room's commits are failing: nothing of the request was applied, so it can be sent again later. */
export class CommitsFailing extends Error {
  override name = 'CommitsFailing'
}

/**
 * The change was applied and is kept, but its commit did not complete within the wait: it will be saved with the rest,
 * so it must not be sent again. `saved` settles once it is (rejects should its room go first): until then it is held in
 * this process's memory, and `applied` (its updates, as the log is to store them) is what the HTTP answer writes to
 * the held-changes spool before it promises anything (http/saving-delayed.ts).
 */
export class SavingDelayed extends Error {
  override name = 'SavingDelayed'

  constructor(
    readonly boardId: string,
    readonly saved: Promise<void>,
    readonly applied: { update: Uint8Array; origin: string }[],
    commitWaitMs: number,
  ) {
    super(`board ${boardId}: the change was applied but not saved within ${commitWaitMs} ms; it is kept and saved with the board's other changes`)
  }
}

/** The board was deleted while the request was served: nothing of it was applied, and nothing more is stored for that board. */
export class BoardDeleted extends Error {
  override name = 'BoardDeleted'
}

/** The board is past its size limit (BOARD_MAX_BYTES) and the change could add to it: nothing of it was applied. */
export class BoardFull extends Error {
  override name = 'BoardFull'

  constructor(readonly notice: BoardFullNotice) {
    super(boardFullMessage(notice))
  }
}

/** The board is being loaded again from storage after another change left its document in an unknown state (room.ts, reset): nothing of the request was applied, and the reloaded board takes it. */
export class BoardReloading extends Error {
  override name = 'BoardReloading'
}

/** This change left the board's document in an unknown state: nothing of it was saved, and the board is loaded again from storage; the same change would fail the same way. */
export class ChangeBrokeDocument extends Error {
  override name = 'ChangeBrokeDocument'
}

/**
 * The board's room was unloaded as the server shut down, while a request was
 * changing it. `applied`: its change was applied but not saved by then (its
 * commit may still have landed); otherwise nothing of it was applied.
 */
export class RoomUnloaded extends Error {
  override name = 'RoomUnloaded'

  constructor(
    boardId: string,
    readonly applied: boolean,
  ) {
    super(applied ? `board ${boardId} was unloaded before saving` : `board ${boardId} was unloaded; nothing was changed`)
  }
}
