/**
 * Loads of boards nobody holds on this instance, one at a time and within the
 * instance's stored bytes a minute. A load applies the whole stored state
 * with Yjs on the relay's thread, which nothing can move elsewhere (the room's
 * Y.Doc lives there): some 0.25 s per stored MB, a board of 15 MB 3 to 5 s,
 * and more for a board dense in structs, so each load counts what it cost
 * (load-cost.ts), not only its stored bytes.
 * Each person's own minute (IncomingRates.mayLoad) multiplies with the
 * people asking: three reviewer accounts cycling through boards of 15 MB held
 * /healthz up to 10 s and the relay slow three quarters of the minute. Past
 * the instance's minute, a board nobody holds is refused to whoever opens it
 * (they retry), rather than stalling everyone on the instance; and the
 * minute, once it refills, goes to the people it refused in the order they
 * were refused, so that whoever retries fastest does not have it all: one
 * reviewer reopening large boards every 200 ms kept an editor's own board
 * from loading for a minute, the stock client's backoff always losing.
 * Nor may one person have the instance's minute to themselves: a load's cost
 * is known only once it is done, and a board dense in structs, just under
 * BOARD_MAX_BYTES (then 32 MiB), cost as much as the whole minute; reopened
 * each time it unloaded, it left the instance some 27 MiB in debt, every
 * other board nobody held refused for some 50 s, a colleague opening about
 * one board a minute (red team 39a). So each person's loads are held to
 * their share of the instance's minute (LoadShares), and what they owe the
 * instance past it, down to the floor below, does not refuse the others.
 */
import type { IncomingRates } from './incoming-rates.ts'
import { LoadShares } from './load-shares.ts'
import { TokenBucket } from './token-bucket.ts'

/** The board is not loaded here, and its person, or the instance, has loaded as much as they may this minute; nothing was loaded. */
export class LoadingTooMuch extends Error {
  override name = 'LoadingTooMuch'
}

/**
 * What the instance may load at once, as a share of its minute. A load is
 * let in while the bucket is above its floor (below) and counted once its
 * cost is known.
 */
const BURST_SHARE_OF_MINUTE = 1 / 6

/**
 * One person's share of the instance's minute, with the same burst as the
 * instance's: by default 16 MiB a minute, 5.3 MiB at once. Half, so that
 * others always have the other half, whatever one person's own minute
 * (LOADED_BYTES_PER_MINUTE_PER_PERSON, which also counts their HTTP reads).
 * A board just under BOARD_MAX_BYTES (16 MiB) costs at most about a share:
 * reopened each time it unloads, it loads about once a minute (the second
 * load some 40 s after the first, once the share has paid for it, then one a
 * minute).
 */
const PERSON_SHARE_OF_MINUTE = 1 / 2

/**
 * How far below empty the instance's minute may be and still load for people
 * within their share, as a share of the minute: by default 16 MiB, some 30 s
 * of refill. A load starts while the instance is above it, so loads in a burst
 * stay within a sixth of the minute (its burst), this and one board: 5.3 +
 * 16 + 16 MiB, as much as the burst and one board of 32 MiB before. A full
 * board's load begun with the minute full leaves it 10.7 MiB below empty,
 * 5.3 MiB above the floor: the others' boards keep loading meanwhile, the
 * minute's refill (0.53 MiB a second) theirs while its person's share pays.
 * Without accounts nothing tells people apart: a load starts only while the
 * minute is not below empty, as whoever put it there might be asking again.
 */
const FLOOR_SHARE_OF_MINUTE = 1 / 2

/**
 * How long a refused person keeps their place in line without asking again:
 * longer than the stock client's longest backoff (2.5 s) between reconnects,
 * short enough that someone who gave up does not hold the minute for long.
 */
const PLACE_KEPT_MS = 10_000

export class ColdLoads {
  private readonly loaded: TokenBucket
  private readonly floor: number
  private readonly shares: LoadShares
  /** Settles once the load in its turn has: the next one starts then. */
  private lastTurn: Promise<unknown> = Promise.resolve()
  /** The people the instance's minute refused, in the order it first did, each with when they last asked. */
  private readonly waiting = new Map<IncomingRates, number>()

  constructor(bytesPerMinute: number) {
    const burst = bytesPerMinute * BURST_SHARE_OF_MINUTE
    this.loaded = new TokenBucket(bytesPerMinute / 60, burst)
    this.floor = bytesPerMinute * FLOOR_SHARE_OF_MINUTE
    this.shares = new LoadShares(bytesPerMinute * PERSON_SHARE_OF_MINUTE, burst)
  }

  /**
   * Whether `payer`'s load asked for now may start: within their minute, their
   * share of the instance's and the instance's, and theirs is the first place
   * in line among those the instance's minute refused. Refused at once,
   * without waiting a turn, when not; a refusal for the instance's minute
   * keeps (or takes) their place (on a server without accounts, where nothing
   * tells people apart, none is kept), one for their own minute or share does
   * not: those refill for them alone.
   */
  mayLoad(payer: IncomingRates): boolean {
    if (!payer.mayLoad() || !this.withinShare(payer)) return false
    const now = performance.now()
    for (const [person, askedAt] of this.waiting) if (now - askedAt > PLACE_KEPT_MS) this.waiting.delete(person)
    const first = this.waiting.keys().next()
    if (this.instanceLoadsFor(payer) && (first.done || first.value === payer)) {
      this.waiting.delete(payer)
      return true
    }
    // Set again, a key keeps its place in a Map's order. A connection's own rates (no accounts) are never asked for again.
    if (payer.ofPerson) this.waiting.set(payer, now)
    return false
  }

  /**
   * Runs `load` once the loads before it have ended, if the instance and the
   * payer (the person asking; none for the server's own work, which is never
   * refused) may still load; counts what it cost against both: its stored
   * bytes, or its structs' worth when that is more (load-cost.ts).
   * Decided in its turn, not when asked: loads asked for at once all find the
   * minute as it was before any of them.
   */
  inTurn<T>(payer: IncomingRates | undefined, load: () => Promise<T>, costOf: (loaded: T) => number): Promise<T> {
    const turn = this.lastTurn.then(async () => {
      // Their place in line was taken when they asked; loads asked for at once are held to the minute here.
      if (payer && !(payer.mayLoad() && this.withinShare(payer) && this.instanceLoadsFor(payer))) throw new LoadingTooMuch('a board nobody holds here, past the bytes its person or this instance may load a minute')
      const loaded = await load()
      const bytes = costOf(loaded)
      this.loaded.spend(bytes)
      payer?.didLoad(bytes)
      if (payer?.ofPerson) this.shares.spend(payer, bytes)
      return loaded
    })
    // The next load waits for this one, however it ends; its failure is its caller's. Settled to nothing: holding
    // what it loaded would keep the room, its whole document, reachable after it unloads, until the next load.
    this.lastTurn = turn.then(
      () => undefined,
      () => undefined,
    )
    return turn
  }

  private withinShare(payer: IncomingRates): boolean {
    return !payer.ofPerson || this.shares.within(payer)
  }

  /** Whether the instance's minute still loads for `payer`: down to the floor for a person, to empty for a connection without one. */
  private instanceLoadsFor(payer: IncomingRates): boolean {
    return this.loaded.holds(payer.ofPerson ? -this.floor : 0)
  }
}
