/**
 * Jobs waiting for a thread, one line per owner, the lines served in turn:
 * whoever asks while another person has many jobs waiting is next but one,
 * not behind all of them. The server's own work (owner null) has a line too,
 * served ahead of the members' but never twice running while a member's job
 * waits: it is what keeps loaded boards caught up (a catch-up after a Redis
 * blip) and their logs short (compaction), so it goes first, and yet a stream
 * of it (compactions failing again and again, automatic snapshots) held every
 * member's job back for minutes when it went before each of them.
 */
export class FairQueue<J extends { owner: string | null }, L extends string> {
  /** In turn order: a line that was just served goes to the back. */
  private readonly lines = new Map<string | null, J[]>()
  private count = 0
  /**
   * The lanes whose thread took the server's job last: their next turn is a
   * member's, when one waits. Per lane: a thread of the short lane taking a
   * member's short job said nothing of what the other threads took, and one
   * flag for all had them take the server's jobs one after another while a
   * member's long job waited. By the lane's name, not by its `accepts`: a
   * function made anew at each call was a lane never seen before, its turns
   * forgotten and the set grown by one each time.
   */
  private readonly serverServedLast = new Set<L>()

  get length(): number {
    return this.count
  }

  /** How many of `owner`'s jobs wait. */
  waitingOf(owner: string | null): number {
    return this.lines.get(owner)?.length ?? 0
  }

  push(job: J): void {
    const line = this.lines.get(job.owner)
    if (line) line.push(job)
    else this.lines.set(job.owner, [job])
    this.count++
  }

  /**
   * For a thread of `lane`, the first of the server's jobs, or else the first job of the line whose turn it is; with
   * `accepts`, the first job it accepts, taken from the first line in that order holding one (a thread of the short
   * lane takes short jobs only). One lane, one `accepts`: its turns are kept by its name.
   */
  shift(lane: L, accepts: (job: J) => boolean = anyJob): J | undefined {
    for (const [owner, line] of this.inTurn(this.serverServedLast.has(lane))) {
      const at = line.findIndex(accepts)
      if (at < 0) continue
      const [job] = line.splice(at, 1)
      this.lines.delete(owner)
      if (line.length > 0) this.lines.set(owner, line)
      this.count--
      if (owner === null) this.serverServedLast.add(lane)
      else this.serverServedLast.delete(lane)
      return job
    }
    return undefined
  }

  /** How many waiting jobs `accepts` accepts. */
  countOf(accepts: (job: J) => boolean): number {
    let count = 0
    for (const line of this.lines.values()) count += line.filter(accepts).length
    return count
  }

  /** The lines in the order they are served: the server's first, unless it was served last (to the lane asking), then the members' in turn. */
  private *inTurn(serverServedLast: boolean): Generator<[string | null, J[]]> {
    const server = this.lines.get(null)
    if (server && !serverServedLast) yield [null, server]
    for (const entry of this.lines) if (entry[0] !== null) yield entry
    if (server && serverServedLast) yield [null, server]
  }

  /** Takes `job` out of its line, its line keeping its turn; false when it was not waiting. */
  remove(job: J): boolean {
    const line = this.lines.get(job.owner)
    const at = line?.indexOf(job) ?? -1
    if (!line || at < 0) return false
    line.splice(at, 1)
    if (line.length === 0) this.lines.delete(job.owner)
    this.count--
    return true
  }

  /** Every waiting job, the server's first, then each member's line in turn; the queue is left empty, and the lanes' turns forgotten. */
  drain(): J[] {
    const jobs = [...this.inTurn(false)].flatMap(([, line]) => line)
    this.lines.clear()
    this.count = 0
    this.serverServedLast.clear()
    return jobs
  }
}

/** What a thread of a lane that runs any job accepts. */
function anyJob(): boolean {
  return true
}
