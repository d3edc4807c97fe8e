/**
 * How many websockets this instance holds, in total and per person, and what
 * each person's may send a second in all. A connection is counted from its
 * upgrade (so a burst of parallel upgrades cannot slip past the limit) until
 * it closes; an upgrade that never opens stops counting after a while.
 */
import { IncomingRates, type IncomingRateLimits } from './incoming-rates.ts'

export type Admission = {
  /** What the connection's frames are counted against: its person's, shared by all their connections here. */
  readonly rates: IncomingRates
  /** The socket opened and a connection now holds this admission. */
  claim(): void
  /** The connection closed (or never opened); safe to call more than once. */
  release(): void
}

export type AdmissionRefusal = 'tooManyForPerson' | 'serverFull'

/** An upgrade that has not opened by then never will. */
const UNCLAIMED_MS = 30_000

type Person = { id: string; connections: number; rates: IncomingRates; forget: NodeJS.Timeout | undefined }

export class ConnectionLimits {
  private total = 0
  private readonly people = new Map<string, Person>()

  constructor(private readonly limits: { perPerson: number; total: number; rates: IncomingRateLimits }) {}

  get connections(): number {
    return this.total
  }

  /**
   * Counts one more connection for `personId`, or says which limit refuses it.
   * Without a person (a server without accounts) only the total applies, and
   * the connection's rates are its own.
   */
  admit(personId: string | null): Admission | AdmissionRefusal {
    if (this.total >= this.limits.total) return 'serverFull'
    const person = personId === null ? null : this.person(personId)
    if (person && person.connections >= this.limits.perPerson) return 'tooManyForPerson'
    this.total++
    if (person) {
      person.connections++
      clearTimeout(person.forget)
    }
    let released = false
    const release = () => {
      if (released) return
      released = true
      clearTimeout(unclaimed)
      this.total--
      if (person && --person.connections === 0) this.forgetLater(person)
    }
    const unclaimed = setTimeout(release, UNCLAIMED_MS)
    unclaimed.unref()
    return { rates: person?.rates ?? new IncomingRates(this.limits.rates, false), claim: () => clearTimeout(unclaimed), release }
  }

  /**
   * What a person may still send and add here, the same their sockets count
   * against: their HTTP changes count against it too. Kept as after their last
   * socket when they hold none.
   */
  ratesOf(personId: string): IncomingRates {
    const person = this.person(personId)
    if (person.connections === 0) {
      clearTimeout(person.forget)
      this.forgetLater(person)
    }
    return person.rates
  }

  private person(personId: string): Person {
    let person = this.people.get(personId)
    if (!person) this.people.set(personId, (person = { id: personId, connections: 0, rates: new IncomingRates(this.limits.rates, true), forget: undefined }))
    return person
  }

  /** Keeps a person's rates until they have filled again, so that closing every socket and reconnecting does not refill them. */
  private forgetLater(person: Person): void {
    person.forget = setTimeout(() => {
      if (person.connections === 0) this.people.delete(person.id)
    }, person.rates.refillMs)
    person.forget.unref()
  }
}
