import { CountsByKey } from './counts-by-key.ts'

/** Why a slot was not taken: every slot is taken, or the person holds as many as they may while others may ask. */
export type SlotRefusal = 'full' | 'share'

/**
 * A fixed number of slots for costly work, none of which one person (nor two)
 * can hold all of: a person already holding some may take another only while
 * more slots stay free than they hold, so the last free slot is always for
 * someone holding none. With four slots one person holds at most two, two
 * people at most three; a person alone on the instance still takes two of four
 * at once. Two members each keeping two reads of a board's past in flight
 * used to take all four, every other member refused for as long as they kept
 * it up. `person` null (a server without accounts) is never counted as
 * holding any.
 */
export class FairSlots {
  private taken = 0
  private readonly byPerson = new CountsByKey()

  constructor(readonly size: number) {}

  /** Takes a slot for `person`, or says why not; a slot taken is given back with `give`. */
  take(person: string | null): SlotRefusal | null {
    const free = this.size - this.taken
    if (free === 0) return 'full'
    if (person !== null && this.byPerson.of(person) >= free) return 'share'
    this.taken++
    if (person !== null) this.byPerson.add(person)
    return null
  }

  give(person: string | null): void {
    this.taken--
    if (person !== null) this.byPerson.remove(person)
  }
}
