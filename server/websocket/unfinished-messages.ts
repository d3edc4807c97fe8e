/**
 * Bytes held in messages still arriving, per person and across the instance.
 * A frame is handed to the relay (and counted against its sender's rates)
 * only once its last byte has come; until then ws holds all of it. Twenty
 * sockets of one reviewer, each sending all of a 16 MiB frame but its last
 * byte, grew the instance by 330 to 380 MB for as long as they stayed open
 * (three accounts: by a gigabyte). Past the person's
 * budget, the socket whose message went past it is closed; past the
 * instance's, the messages begun longest ago go first (a client sending at
 * network speed finishes in a moment: what stays unfinished longest is what
 * is held on purpose), their sockets ended at once, which frees their bytes.
 */
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'

export type UnfinishedLimits = {
  /** What one person's unfinished messages may hold together, over all their sockets on the instance. */
  perPerson: number
  /** What every socket's unfinished messages may hold together. */
  total: number
}

/** One socket's share: the message it has still arriving. */
export interface UnfinishedHolder {
  /**
   * Sets what the socket's unfinished message holds now (0 once it is whole),
   * begun at `since`. Returns the close the socket must get when that is more
   * than may be held, or null.
   */
  hold(bytes: number, since: number): CloseEvent | null
  /** The socket is gone; safe to call more than once. */
  release(): void
}

type Person = { bytes: number; holders: number }

type Holder = UnfinishedHolder & { bytes: number; since: number; end(event: CloseEvent): void }

export class UnfinishedMessages {
  private total = 0
  /** Holders with bytes held now. */
  private readonly holding = new Set<Holder>()
  private readonly people = new Map<string, Person>()

  constructor(private readonly limits: UnfinishedLimits) {}

  /** Bytes of unfinished messages held now across every socket. */
  get bytes(): number {
    return this.total
  }

  /**
   * A socket's share for `personId` (null: a server without accounts, where
   * the socket is its own person). `end` closes the socket when the instance
   * needs its bytes back.
   */
  holder(personId: string | null, end: (event: CloseEvent) => void): UnfinishedHolder {
    const person = this.person(personId)
    person.holders++
    let released = false
    const holder: Holder = {
      bytes: 0,
      since: 0,
      end,
      hold: (bytes, since) => (released ? null : this.hold(holder, person, bytes, since)),
      release: () => {
        if (released) return
        released = true
        this.set(holder, person, 0)
        if (--person.holders === 0 && personId !== null) this.people.delete(personId)
      },
    }
    return holder
  }

  private hold(holder: Holder, person: Person, bytes: number, since: number): CloseEvent | null {
    const growing = bytes > holder.bytes
    holder.since = since
    this.set(holder, person, bytes)
    if (!growing) return null
    if (person.bytes > this.limits.perPerson) return CLOSE.rateLimited
    if (this.total <= this.limits.total) return null
    this.evictOldestFor(holder)
    return this.holding.has(holder) ? null : CLOSE.unfinishedOverload
  }

  private set(holder: Holder, person: Person, bytes: number): void {
    const change = bytes - holder.bytes
    holder.bytes = bytes
    person.bytes += change
    this.total += change
    if (bytes > 0) this.holding.add(holder)
    else this.holding.delete(holder)
  }

  /**
   * Ends the sockets whose messages began longest ago until the rest fit,
   * giving their bytes back at once; `growing`, when among them, is ended by
   * its caller, told so by hold().
   */
  private evictOldestFor(growing: Holder): void {
    const oldestFirst = [...this.holding].sort((a, b) => a.since - b.since)
    for (const holder of oldestFirst) {
      if (this.total <= this.limits.total) return
      holder.release()
      if (holder !== growing) holder.end(CLOSE.unfinishedOverload)
    }
  }

  private person(personId: string | null): Person {
    if (personId === null) return { bytes: 0, holders: 0 }
    let person = this.people.get(personId)
    if (!person) this.people.set(personId, (person = { bytes: 0, holders: 0 }))
    return person
  }
}
