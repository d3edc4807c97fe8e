/**
 * Completed history reads kept for the next identical one (history-reads.ts),
 * within a budget of bytes, the least recently used dropped first. A read's
 * key names its board, kind, parameters, the state of the log's newest rows
 * and where its kept history starts, so an edit, a compaction or a thinning
 * (on any instance) makes a new key; a deleted board's entries are dropped
 * through `forgetBoard`.
 */

type Entry = { boardId: string; value: unknown; bytes: number }

export class HistoryReadCache {
  /** In order of use, the least recent first (a Map keeps insertion order). */
  private readonly entries = new Map<string, Entry>()
  private bytes = 0
  /** Bumped by `forgetBoard`: a read begun before is not kept, as it may hold what was dropped meanwhile. */
  private readonly generations = new Map<string, number>()

  constructor(private readonly maxBytes: number) {}

  get(key: string): { value: unknown } | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    this.entries.delete(key)
    this.entries.set(key, entry)
    return { value: entry.value }
  }

  /** What `keep` is to be given for a read of the board begun now. */
  generation(boardId: string): number {
    return this.generations.get(boardId) ?? 0
  }

  keep(key: string, boardId: string, generation: number, value: unknown): void {
    if (generation !== this.generation(boardId)) return
    const bytes = estimatedBytes(value)
    if (bytes > this.maxBytes) return
    this.drop(key)
    this.entries.set(key, { boardId, value, bytes })
    this.bytes += bytes
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.drop(oldest)
    }
  }

  forgetBoard(boardId: string): void {
    this.generations.set(boardId, this.generation(boardId) + 1)
    for (const [key, entry] of this.entries) if (entry.boardId === boardId) this.drop(key)
  }

  private drop(key: string): void {
    const entry = this.entries.get(key)
    if (!entry) return
    this.entries.delete(key)
    this.bytes -= entry.bytes
  }
}

/**
 * What a result holds, roughly: its byte arrays' bytes, two bytes a string's
 * character, eight a number and each property's name. Results are states,
 * packed updates and board models or lists of sessions, whose byte arrays and
 * strings are nearly all of their size.
 */
export function estimatedBytes(value: unknown): number {
  if (value === null || value === undefined) return 8
  if (typeof value === 'string') return 2 * value.length
  if (typeof value !== 'object') return 8
  if (ArrayBuffer.isView(value)) return value.byteLength
  if (Array.isArray(value)) return value.reduce((sum: number, item: unknown) => sum + estimatedBytes(item), 16)
  let sum = 16
  for (const [name, item] of Object.entries(value)) sum += 2 * name.length + estimatedBytes(item)
  return sum
}
