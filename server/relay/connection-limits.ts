/**
 * How many websockets this instance holds, in total and per person. A
 * connection is counted from its upgrade (so a burst of parallel upgrades
 * cannot slip past the limit) until it closes; an upgrade that never opens
 * stops counting after a while.
 */
export type Admission = {
  /** The socket opened and a connection now holds this admission. */
  claim(): void
  /** The connection closed (or never opened); safe to call more than once. */
  release(): void
}

export type AdmissionRefusal = 'tooManyForPerson' | 'serverFull'

/** An upgrade that has not opened by then never will. */
const UNCLAIMED_MS = 30_000

export class ConnectionLimits {
  private total = 0
  private readonly perPerson = new Map<string, number>()

  constructor(private readonly limits: { perPerson: number; total: number }) {}

  get connections(): number {
    return this.total
  }

  /**
   * Counts one more connection for `personId`, or says which limit refuses it.
   * Without a person (a server without accounts) only the total applies.
   */
  admit(personId: string | null): Admission | AdmissionRefusal {
    if (this.total >= this.limits.total) return 'serverFull'
    const own = personId === null ? 0 : (this.perPerson.get(personId) ?? 0)
    if (personId !== null && own >= this.limits.perPerson) return 'tooManyForPerson'
    this.total++
    if (personId !== null) this.perPerson.set(personId, own + 1)
    let released = false
    const release = () => {
      if (released) return
      released = true
      clearTimeout(unclaimed)
      this.total--
      if (personId === null) return
      const left = (this.perPerson.get(personId) ?? 1) - 1
      if (left > 0) this.perPerson.set(personId, left)
      else this.perPerson.delete(personId)
    }
    const unclaimed = setTimeout(release, UNCLAIMED_MS)
    unclaimed.unref()
    return { claim: () => clearTimeout(unclaimed), release }
  }
}
