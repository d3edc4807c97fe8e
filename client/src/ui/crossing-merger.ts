/**
 * Which page merges back a write of a plain field that a colleague's crossed
 * (both made over the same value; the document keeps one, `kept`, and drops
 * the other, `dropped`): exactly one page of those present, so that the merge
 * is one write, made where the typing that goes on is.
 *
 * Every page that merged a crossing it saw (red team 40c) wrote a merge over
 * the kept write while the two people went on typing: each merge crossed the
 * typists' next saves and was merged again as though it were new words,
 * leaving them doubled and interleaved on every page. A merge made by the
 * page that wrote the dropped write is that person's typing rebased (their
 * field or their record of their writes, which know what the write was made
 * over), so their next saves are made over it and nothing crosses it but
 * another person's typing, whose own page merges that in turn.
 *
 * Only when that page is gone (closed, or reloaded, with a new client id:
 * red team 39c) does another merge it: the kept write's page, which holds the
 * other typing; else, when both are gone, the present page of the lowest
 * client id that may write, the same one as every page sees the same people.
 */

/** `pages`: the client ids of the pages on the board that may write, this one's included (presence). */
export function mergesHere(writes: { kept: number; dropped: number }, me: number, pages: ReadonlySet<number>): boolean {
  if (pages.has(writes.dropped)) return false
  if (pages.has(writes.kept)) return writes.kept === me
  return me === Math.min(me, ...pages)
}
