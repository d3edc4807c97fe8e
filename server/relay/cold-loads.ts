/**
 * Loads of boards nobody holds on this instance, one at a time and within the
 * instance's stored bytes a minute. A load applies the whole stored state
 * with Yjs on the relay's thread, which nothing can move elsewhere (the room's
 * Y.Doc lives there): some 0.25 s per stored MB, a board of 15 MB 3 to 5 s.
 * Each person's own minute (IncomingRates.mayLoad) multiplies with the
 * people asking: three reviewer accounts cycling through boards of 15 MB held
 * /healthz up to 10 s and the relay slow three quarters of the minute. Past
 * the instance's minute, a board nobody holds is refused to whoever opens it
 * (they retry), rather than stalling everyone on the instance.
 */
import type { IncomingRates } from './incoming-rates.ts'
import { TokenBucket } from './token-bucket.ts'

/** The board is not loaded here, and its person, or the instance, has loaded as much as they may this minute; nothing was loaded. */
export class LoadingTooMuch extends Error {
  override name = 'LoadingTooMuch'
}

/**
 * What the instance may load at once, as a share of its minute. A load is
 * let in while the bucket is not in debt and counted once its bytes are known,
 * so at most this much and one board (BOARD_MAX_BYTES) load in a burst.
 */
const BURST_SHARE_OF_MINUTE = 1 / 6

export class ColdLoads {
  private readonly loaded: TokenBucket
  /** Settles once the load in its turn has: the next one starts then. */
  private lastTurn: Promise<unknown> = Promise.resolve()

  constructor(bytesPerMinute: number) {
    this.loaded = new TokenBucket(bytesPerMinute / 60, bytesPerMinute * BURST_SHARE_OF_MINUTE)
  }

  /** Whether a load asked for now could start: refused at once, without waiting its turn, when it could not. */
  mayLoad(payer: IncomingRates | undefined): boolean {
    return this.loaded.holds(0) && (payer?.mayLoad() ?? true)
  }

  /**
   * Runs `load` once the loads before it have ended, if the instance and the
   * payer (the person asking; none for the server's own work, which is never
   * refused) may still load; counts the stored bytes it loaded against both.
   * Decided in its turn, not when asked: loads asked for at once all find the
   * minute as it was before any of them.
   */
  inTurn<T>(payer: IncomingRates | undefined, load: () => Promise<T>, storedBytesOf: (loaded: T) => number): Promise<T> {
    const turn = this.lastTurn.then(async () => {
      if (payer && !this.mayLoad(payer)) throw new LoadingTooMuch('a board nobody holds here, past the bytes its person or this instance may load a minute')
      const loaded = await load()
      const bytes = storedBytesOf(loaded)
      this.loaded.spend(bytes)
      payer?.didLoad(bytes)
      return loaded
    })
    // The next load waits for this one, however it ends; its failure is its caller's.
    this.lastTurn = turn.catch(() => undefined)
    return turn
  }
}
