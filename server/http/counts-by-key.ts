/** How many of something each key (a person) holds now; a key holding none is forgotten, so the map never outgrows what is in flight. */
export class CountsByKey {
  private readonly counts = new Map<string, number>()

  of(key: string): number {
    return this.counts.get(key) ?? 0
  }

  add(key: string): void {
    this.counts.set(key, this.of(key) + 1)
  }

  remove(key: string): void {
    const left = this.of(key) - 1
    if (left <= 0) this.counts.delete(key)
    else this.counts.set(key, left)
  }
}
