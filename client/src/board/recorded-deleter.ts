/**
 * Who deleted a card, as the server recorded it: the board's history lists each
 * assessment's `card` field going from present to absent with the account the
 * change came from (README, History), where presence can only guess from who
 * had the card open as the deletion came in (a deleter who had left it, a
 * deletion over the HTTP API or one relayed on reconnecting tell it nothing,
 * and a third person looking at the card is taken for the deleter).
 *
 * The relay sends a change on before it is stored, and the history lists it
 * once stored: the listing is read again a few times until its latest change
 * of the card is the deletion.
 */
import { CARD_ABSENT } from '../../../shared/history-model.ts'
import { historyApi } from '../history/history-api.ts'

/** The waits between reads, in ms: some 15 s in all, past which presence's guess stands. */
const WAITS_MS = [250, 500, 1000, 2000, 4000, 8000]

/** The name of whoever deleted the card, by the server's record; null when it cannot be read (offline, refused, not listed in time). */
export async function recordedDeleter(boardId: string, assessmentId: string, signal: AbortSignal): Promise<string | null> {
  for (const wait of [...WAITS_MS, null]) {
    try {
      const { changes } = await historyApi.changes(boardId, { assessmentId }, { signal, onWait: () => {} })
      const latest = changes.filter((change) => change.field === 'card').at(-1)
      if (latest?.to === CARD_ABSENT) return latest.by.name
    } catch {
      // Offline, the reader's rights gone, the server busy past its retries, or the notice gone (signal): presence's guess stands.
      return null
    }
    if (wait === null || signal.aborted) return null
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait)
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer)
          resolve()
        },
        { once: true },
      )
    })
  }
  return null
}
