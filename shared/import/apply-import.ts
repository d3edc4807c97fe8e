/**
 * A parsed document onto a board. The preview and the import share one plan,
 * so what the preview shows is what the import does; the import is a single
 * transaction, so others see it appear at once and one undo step (of an undo
 * manager tracking `ctx.origin`) takes it back.
 */
import type * as Y from 'yjs'
import { entities, readString, type EntityMap } from '../board-doc.ts'
import { addClaim, addDocument, addSource, sourceNameKey, sourcesByNameKey, type MutationContext } from '../board-mutations.ts'
import { contentHash } from './content-hash.ts'
import type { ParsedClaim, ParsedDocument } from './parse-source.ts'

export type ImportedDocumentRef = { id: string; title: string; importedAt: string; importedBy?: string }

/** A cited source: `id` is the board's source of that name (any case or spacing), or null when the import creates it. */
export type PlannedSource = { name: string; id: string | null }

/** A cited sentence: `id` is the board's claim with the same source and text, or null when the import adds it. */
export type PlannedClaim = ParsedClaim & { id: string | null }

export type ImportPreview = {
  title: string
  /**
   * `import` adds the document, its new sources (reliability F) and new claims
   * (credibility 6); `already-imported` (this very text is on the board, see
   * `duplicateOf`) and `nothing-new` (every claim is already there) add nothing.
   */
  outcome: 'import' | 'already-imported' | 'nothing-new'
  duplicateOf: ImportedDocumentRef | null
  /** Each source once, in the order the document first cites it. */
  sources: PlannedSource[]
  /** Each distinct claim once: a sentence the document repeats under the same source is listed, and added, once. */
  claims: PlannedClaim[]
}

export type ImportResult = ImportPreview & {
  /** The stored document; null when the outcome added nothing. */
  documentId: string | null
  createdSourceIds: string[]
  createdClaimIds: string[]
}

/** What importing `parsed` would do to the board now. Reads only. */
export function previewImport(doc: Y.Doc, parsed: ParsedDocument): ImportPreview {
  return planImport(doc, parsed, contentHash(parsed.text))
}

/** Imports `parsed` as one change made by `ctx.by`, or adds nothing when the outcome says so. */
export function applyImport(doc: Y.Doc, parsed: ParsedDocument, ctx: MutationContext = {}): ImportResult {
  // One time for the whole import: the document and its claims were made at the same moment.
  const at: MutationContext = { ...ctx, now: ctx.now ?? new Date() }
  const hash = contentHash(parsed.text)
  let result!: ImportResult
  // The mutations' own transactions join this one, so the whole import is a single update.
  doc.transact(() => {
    const plan = planImport(doc, parsed, hash)
    result = { ...plan, documentId: null, createdSourceIds: [], createdClaimIds: [] }
    if (plan.outcome !== 'import') return

    const documentId = addDocument(doc, { title: parsed.title, text: parsed.text, hash }, at)
    const sourceIds = new Map<string, string>()
    for (const [position, source] of plan.sources.entries()) {
      const id = source.id ?? addSource(doc, { name: source.name, reliability: 'F' }, at, position)
      if (source.id === null) result.createdSourceIds.push(id)
      sourceIds.set(sourceNameKey(source.name), id)
    }
    for (const claim of plan.claims) {
      if (claim.id !== null) continue
      const { text, paragraph, start, end } = claim
      const sourceId = sourceIds.get(sourceNameKey(claim.sourceName))!
      result.createdClaimIds.push(
        addClaim(doc, { text, sourceId, credibility: 6, status: 'active', documentId, paragraph, start, end }, at),
      )
    }
    result.documentId = documentId
  }, ctx.origin)
  return result
}

function planImport(doc: Y.Doc, parsed: ParsedDocument, hash: string): ImportPreview {
  const onBoardSources = sourcesByNameKey(doc)
  const sourceIds = new Map<string, string | null>()
  const sources: PlannedSource[] = []
  for (const { sourceName } of parsed.claims) {
    const key = sourceNameKey(sourceName)
    if (sourceIds.has(key)) continue
    const id = onBoardSources.get(key) ?? null
    sourceIds.set(key, id)
    sources.push({ name: sourceName, id })
  }

  const onBoard = boardClaimsByKey(doc)
  const seen = new Set<string>()
  const claims: PlannedClaim[] = []
  for (const claim of parsed.claims) {
    const sourceId = sourceIds.get(sourceNameKey(claim.sourceName))
    const key = claimKey(sourceId ?? `new:${sourceNameKey(claim.sourceName)}`, claim.text)
    if (seen.has(key)) continue
    seen.add(key)
    claims.push({ ...claim, id: onBoard.get(key) ?? null })
  }

  const duplicateOf = importedDocument(doc, hash)
  const outcome = duplicateOf ? 'already-imported' : claims.some((claim) => claim.id === null) ? 'import' : 'nothing-new'
  return { title: parsed.title, outcome, duplicateOf, sources, claims }
}

/**
 * Claims match on source and text with spacing and Unicode form evened out:
 * the same sentence reached through another document, or through a copy with
 * other line breaks, is the same claim. Retracted claims count too, so an
 * import never brings back what an analyst withdrew.
 */
function claimKey(sourceKey: string, text: string): string {
  return `${sourceKey}\u0000${text.normalize('NFC').replace(/\s+/g, ' ')}`
}

function boardClaimsByKey(doc: Y.Doc): Map<string, string> {
  const byKey = new Map<string, string>()
  for (const [id, claim] of entities(doc, 'claims')) {
    byKey.set(claimKey(readString(claim, 'sourceId'), readString(claim, 'text')), id)
  }
  return byKey
}

function importedDocument(doc: Y.Doc, hash: string): ImportedDocumentRef | null {
  for (const [id, document] of entities(doc, 'documents')) {
    if (readString(document, 'hash') === hash) return documentRef(id, document)
  }
  return null
}

function documentRef(id: string, document: EntityMap): ImportedDocumentRef {
  const importedBy = readString(document, 'importedBy')
  return { id, title: readString(document, 'title'), importedAt: readString(document, 'importedAt'), ...(importedBy ? { importedBy } : {}) }
}
