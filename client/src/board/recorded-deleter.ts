/**
 * Who deleted a card, as the server recorded it: the board's history lists each
 * assessment's `card` field going from present to absent with the account the
 * change came from (README, History), where presence can only guess from who
 * had the card open as the deletion came in (a deleter who had left it, a
 * deletion over the HTTP API or one relayed on reconnecting tell it nothing,
 * and a third person looking at the card is taken for the deleter).
 *
 * The relay sends a change on only once it is stored (ARCHITECTURE.md,
 * Persistence), and the history lists what is stored: read once as the
 * deletion arrives, the listing holds it.
 */
import { CARD_ABSENT } from '../../../shared/history-model.ts'
import { historyApi } from '../history/history-api.ts'

/** The name of whoever deleted the card, by the server's record; null when it cannot be read (offline, refused) or the card is back. */
export async function recordedDeleter(boardId: string, assessmentId: string, signal: AbortSignal): Promise<string | null> {
  try {
    const { changes } = await historyApi.changes(boardId, { assessmentId }, { signal, onWait: () => {} })
    const latest = changes.filter((change) => change.field === 'card').at(-1)
    return latest?.to === CARD_ABSENT ? latest.by.name : null
  } catch {
    // Offline, the reader's rights gone, the server busy past its retries, or the notice gone (signal): presence's guess stands.
    return null
  }
}
