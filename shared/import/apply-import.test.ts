import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel, documentText } from '../board-convert.ts'
import { collection, entities, initBoardDoc } from '../board-doc.ts'
import { addSource, deleteDocument, updateClaim, type MutationContext } from '../board-mutations.ts'
import { localOrigin } from '../change-origin.ts'
import { LIMITS } from '../limits.ts'
import { applyImport, previewImport } from './apply-import.ts'
import { readUploadedFile } from './decode-upload.ts'
import { ImportError, type ImportErrorKind } from './import-error.ts'
import { parseSourceText } from './parse-source.ts'
import { SAMPLE_ARTICLE, SAMPLE_ARTICLE_SOURCES } from '../../test/helpers/sample-article.ts'

const NOW = new Date('2026-03-01T12:00:00.000Z')

/** A second wire story: it cites some of the sample's sources (spelled otherwise) and one of its sentences. */
const FOLLOW_UP = [
  'Vilnius summit: the follow-up',
  'Allied leaders met again in Vilnius. [citation: nato]',
  'The emphasis was on accountability and the need for unwavering support to Kyiv as it resists aggression. [citation:  Nato ]',
  'Air defence deliveries were accelerated. [citation: Reuters]',
  'Regional capitals welcomed the decision. [citation: Regional  Briefings]',
].join('\n')

function newBoard(): Y.Doc {
  const doc = new Y.Doc()
  initBoardDoc(doc, { title: 'Wagner mutiny' })
  return doc
}

function as(by: string): MutationContext {
  return { by, origin: localOrigin(), now: NOW }
}

const model = (doc: Y.Doc) => boardToModel(doc, 'board-1')
const sourceName = (doc: Y.Doc, id: string) => model(doc).sources.find((source) => source.id === id)?.name

describe('importing the sample article', () => {
  it('previews what it will create, changing nothing', () => {
    const doc = newBoard()
    const before = Y.encodeStateAsUpdate(doc)
    const preview = previewImport(doc, parseSourceText(SAMPLE_ARTICLE))
    expect(preview.outcome).toBe('import')
    expect(preview.title).toBe('The Wagner uprising and the Kremlin’s strategic missteps in Ukraine')
    expect(preview.sources).toEqual(SAMPLE_ARTICLE_SOURCES.map((name) => ({ name, id: null })))
    expect(preview.claims).toHaveLength(25)
    expect(preview.claims.every((claim) => claim.id === null)).toBe(true)
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
  })

  it('stores the document and gives one claim per cited sentence, each with its source and place', () => {
    const doc = newBoard()
    const parsed = parseSourceText(SAMPLE_ARTICLE)
    const result = applyImport(doc, parsed, as('ana'))
    const board = model(doc)

    expect(board.documents).toEqual([
      { id: result.documentId, title: parsed.title, importedAt: NOW.toISOString(), importedBy: 'ana' },
    ])
    expect(documentText(doc, result.documentId!)).toBe(parsed.text)
    expect(board.sources.map(({ name, reliability }) => [name, reliability]).sort()).toEqual(
      SAMPLE_ARTICLE_SOURCES.map((name) => [name, 'F']).sort(),
    )
    expect(result.createdSourceIds).toHaveLength(7)
    expect(result.createdClaimIds).toHaveLength(25)

    const claims = [...board.claims].sort((a, b) => a.start! - b.start!)
    expect(claims.map((claim) => [claim.text, sourceName(doc, claim.sourceId), claim.paragraph, claim.start, claim.end])).toEqual(
      parsed.claims.map((claim) => [claim.text, claim.sourceName, claim.paragraph, claim.start, claim.end]),
    )
    for (const claim of claims) {
      expect(claim).toMatchObject({ credibility: 6, status: 'active', documentId: result.documentId, createdBy: 'ana' })
      expect(parsed.text.slice(claim.start, claim.end)).toBe(claim.text)
    }
    const headings = new Set([0, 2, 5])
    expect(claims.some((claim) => headings.has(claim.paragraph!))).toBe(false)
  })
})

describe('order', () => {
  it('lists claims in document order and sources in the order the document first cites them, the same on every board', () => {
    const parsed = parseSourceText(SAMPLE_ARTICLE)
    const boards = [newBoard(), newBoard()]
    for (const doc of boards) applyImport(doc, parsed, as('ana'))
    const [first, second] = boards.map(model)

    expect(first!.sources.map((source) => source.name)).toEqual(SAMPLE_ARTICLE_SOURCES)
    expect(second!.sources.map((source) => source.name)).toEqual(SAMPLE_ARTICLE_SOURCES)
    expect(first!.claims.map((claim) => claim.text)).toEqual(parsed.claims.map((claim) => claim.text))
    expect(first!.sources.map((source) => source.position)).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('puts a later document’s claims after the earlier one’s, and orders sources an older import left unplaced by name', () => {
    const doc = newBoard()
    applyImport(doc, parseSourceText(SAMPLE_ARTICLE), as('ana'))
    applyImport(doc, parseSourceText(FOLLOW_UP), { ...as('ben'), now: new Date(NOW.getTime() + 60_000) })
    const board = model(doc)
    expect(board.sources.at(-1)!.name).toBe('Reuters')
    expect(board.claims.slice(-3).map((claim) => claim.text)).toEqual([
      'Allied leaders met again in Vilnius.',
      'Air defence deliveries were accelerated.',
      'Regional capitals welcomed the decision.',
    ])

    // A board imported before sources had a position: same moment, so by name.
    for (const [, source] of entities(doc, 'sources')) source.delete('position')
    const names = model(doc).sources.map((source) => source.name)
    expect(names.slice(0, 7)).toEqual([...SAMPLE_ARTICLE_SOURCES].sort((a, b) => (a < b ? -1 : 1)))
    expect(names.at(-1)).toBe('Reuters')
  })
})

describe('sources', () => {
  it('are matched to the board’s own ignoring case and spacing, keeping their grades', () => {
    const doc = newBoard()
    const nato = addSource(doc, { name: 'nato', reliability: 'B' })
    const western = addSource(doc, { name: ' Western   INTELLIGENCE', reliability: 'C' })
    const preview = previewImport(doc, parseSourceText(SAMPLE_ARTICLE))
    expect(preview.sources.slice(0, 2)).toEqual([
      { name: 'NATO', id: nato },
      { name: 'Western intelligence', id: western },
    ])

    const result = applyImport(doc, parseSourceText(SAMPLE_ARTICLE), as('ana'))
    expect(result.createdSourceIds).toHaveLength(5)
    const sources = model(doc).sources
    expect(sources).toHaveLength(7)
    expect(sources.find((source) => source.id === nato)).toMatchObject({ name: 'nato', reliability: 'B' })
    expect(sources.find((source) => source.id === western)).toMatchObject({ reliability: 'C' })
    expect(model(doc).claims.filter((claim) => claim.sourceId === nato)).toHaveLength(13)
  })

  it('are shared by several documents, each claim keeping its own document', () => {
    const doc = newBoard()
    const first = applyImport(doc, parseSourceText(SAMPLE_ARTICLE), as('ana'))
    const second = applyImport(doc, parseSourceText(FOLLOW_UP), as('ben'))

    expect(second.sources.map((source) => [source.name, source.id === null])).toEqual([
      ['nato', false],
      ['Reuters', true],
      ['Regional Briefings', false],
    ])
    const board = model(doc)
    expect(board.sources.map((source) => source.name).sort()).toEqual([...SAMPLE_ARTICLE_SOURCES, 'Reuters'].sort())
    expect(board.documents.map((document) => document.importedBy).sort()).toEqual(['ana', 'ben'])

    const fromSecond = board.claims.filter((claim) => claim.documentId === second.documentId)
    expect(fromSecond.map((claim) => [claim.text, sourceName(doc, claim.sourceId), claim.createdBy]).sort()).toEqual([
      ['Air defence deliveries were accelerated.', 'Reuters', 'ben'],
      ['Allied leaders met again in Vilnius.', 'NATO', 'ben'],
      ['Regional capitals welcomed the decision.', 'regional briefings', 'ben'],
    ])
    expect(board.claims.filter((claim) => claim.documentId === first.documentId)).toHaveLength(25)
    const text = documentText(doc, second.documentId!)!
    for (const claim of fromSecond) expect(text.slice(claim.start, claim.end)).toBe(claim.text)
  })
})

describe('importing again', () => {
  it('adds nothing for the same document, however it arrives, and says when it came', () => {
    const doc = newBoard()
    const first = applyImport(doc, parseSourceText(SAMPLE_ARTICLE), as('ana'))
    const before = Y.encodeStateAsUpdate(doc)
    let updates = 0
    doc.on('update', () => updates++)

    for (const again of [SAMPLE_ARTICLE, `\uFEFF${SAMPLE_ARTICLE.replace(/\n/g, '\r\n')}\r\n\r\n`]) {
      const parsed = parseSourceText(again)
      expect(previewImport(doc, parsed).outcome).toBe('already-imported')
      const result = applyImport(doc, parsed, as('ben'))
      expect(result).toMatchObject({
        outcome: 'already-imported',
        documentId: null,
        duplicateOf: { id: first.documentId, title: parsed.title, importedAt: NOW.toISOString(), importedBy: 'ana' },
        createdSourceIds: [],
        createdClaimIds: [],
      })
    }
    expect(updates).toBe(0)
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
  })

  it('adds only the new claims of a document that repeats sentences already on the board', () => {
    const doc = newBoard()
    applyImport(doc, parseSourceText(SAMPLE_ARTICLE), as('ana'))
    const result = applyImport(doc, parseSourceText(FOLLOW_UP), as('ben'))
    const repeated = result.claims.find((claim) => claim.text.startsWith('The emphasis was on accountability'))!
    expect(repeated.id).not.toBeNull()
    expect(result.claims.filter((claim) => claim.id === null)).toHaveLength(3)
    expect(result.createdClaimIds).toHaveLength(3)
    expect(model(doc).claims).toHaveLength(28)
  })

  it('adds nothing when every claim is already on the board, even a retracted one', () => {
    const doc = newBoard()
    const first = applyImport(doc, parseSourceText(SAMPLE_ARTICLE), as('ana'))
    updateClaim(doc, first.createdClaimIds[0]!, { status: 'retracted' })
    const before = Y.encodeStateAsUpdate(doc)

    const excerpt = SAMPLE_ARTICLE.split('\n').slice(1, 2).join('\n').replace('[citation: NATO]', '[citation: nato]')
    const result = applyImport(doc, parseSourceText(`Excerpt\n${excerpt}`), as('ben'))
    expect(result.outcome).toBe('nothing-new')
    expect(result.documentId).toBeNull()
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
  })

  it('adds a sentence repeated under one source once, and once for each other source', () => {
    const doc = newBoard()
    const result = applyImport(
      doc,
      parseSourceText('Wire\nMore to follow. [citation: AP]\nMore to follow. [citation: ap]\nMore to follow. [citation: AFP]'),
      as('ana'),
    )
    expect(result.claims.map((claim) => claim.sourceName)).toEqual(['AP', 'AFP'])
    expect(model(doc).claims).toHaveLength(2)
  })

  it('imports a document again once its earlier import was deleted', () => {
    const doc = newBoard()
    const first = applyImport(doc, parseSourceText(SAMPLE_ARTICLE), as('ana'))
    deleteDocument(doc, first.documentId!)
    const again = applyImport(doc, parseSourceText(SAMPLE_ARTICLE), as('ana'))
    expect(again.outcome).toBe('import')
    expect(again.sources.every((source) => source.id !== null)).toBe(true)
    expect(model(doc).claims).toHaveLength(25)
  })
})

describe('an import is one change', () => {
  it('undone in one step by the undo manager of whoever made it, and only by theirs', () => {
    const doc = newBoard()
    addSource(doc, { name: 'NATO', reliability: 'A' })
    const scope = (['sources', 'documents', 'claims'] as const).map((name) => collection(doc, name))
    const ana = as('ana')
    const anaUndo = new Y.UndoManager(scope, { trackedOrigins: new Set([ana.origin]) })
    const benUndo = new Y.UndoManager(scope, { trackedOrigins: new Set([as('ben').origin]) })
    const before = model(doc)

    applyImport(doc, parseSourceText(SAMPLE_ARTICLE), ana)
    const after = model(doc)
    expect(anaUndo.undoStack).toHaveLength(1)
    expect(benUndo.canUndo()).toBe(false)

    anaUndo.undo()
    expect(model(doc)).toEqual(before)
    expect(anaUndo.canUndo()).toBe(false)
    anaUndo.redo()
    expect(model(doc)).toEqual(after)
  })

  it('reaches another replica as a single update that brings all of it', () => {
    const mine = newBoard()
    const theirs = new Y.Doc()
    Y.applyUpdate(theirs, Y.encodeStateAsUpdate(mine))
    const updates: Uint8Array[] = []
    mine.on('update', (update: Uint8Array) => updates.push(update))

    const result = applyImport(mine, parseSourceText(SAMPLE_ARTICLE), as('ana'))
    expect(updates).toHaveLength(1)
    Y.applyUpdate(theirs, updates[0]!)
    expect(model(theirs)).toEqual(model(mine))
    expect(documentText(theirs, result.documentId!)).toBe(documentText(mine, result.documentId!))
  })
})

describe('HTML', () => {
  it('is stored as inert text: no script, style or handler survives, escaped markup stays literal characters', async () => {
    const html = `<html><head><script>alert('head')</script><style>body { display: none }</style></head>
      <body onload="alert('load')"><h1>Border report</h1>
      <p onclick="alert('click')">Troops moved north. A post read &lt;script&gt;alert("x")&lt;/script&gt; in full. [citation: NATO]</p>
      <p><a href="javascript:alert('a')">Convoys</a> were seen<img src=x onerror="alert('img')">. [citation: Reuters]</p>
      <script>document.body.innerHTML = ''</script></body></html>`
    const doc = newBoard()
    const parsed = parseSourceText(await readUploadedFile(new File([html], 'report.html', { type: 'text/html' })))
    const result = applyImport(doc, parsed, as('ana'))

    const stored = documentText(doc, result.documentId!)!
    expect(stored).toBe(
      'Border report\n\nTroops moved north. A post read <script>alert("x")</script> in full. [citation: NATO]\n\nConvoys were seen. [citation: Reuters]',
    )
    expect(stored).not.toMatch(/alert\('|onclick|onload|onerror|innerHTML|display/)
    expect(model(doc).documents[0]!.title).toBe('Border report')
    expect(model(doc).claims.map((claim) => claim.text).sort()).toEqual([
      'A post read <script>alert("x")</script> in full.',
      'Convoys were seen.',
      'Troops moved north.',
    ])
  })
})

describe('bad input', () => {
  const file = (name: string, content: BlobPart, type = '') => new File([content], name, { type })
  const cases: [string, string | File, ImportErrorKind, RegExp][] = [
    ['empty text', '  \n ', 'empty', /The document is empty/],
    ['an empty file', file('blank.txt', ''), 'empty', /The document is empty/],
    ['text with no citation', 'Title\nJust commentary. Nothing cited.', 'no-citation', /No \[citation: SOURCE\] marker found/],
    ['pasted text over the size limit', `A. [citation: X] ${'x'.repeat(LIMITS.maxDocumentBytes)}`, 'too-large', /The document is .* the limit is 2 MB/],
    ['a file over the size limit', file('big.txt', 'x'.repeat(LIMITS.maxDocumentBytes + 1)), 'too-large', /“big\.txt” is .* the limit is 2 MB/],
    ['a file that is not UTF-8', file('latin1.txt', new Uint8Array([0x41, 0x2e, 0xe9, 0x20, 0x5b])), 'not-utf8', /not UTF-8/],
    ['an unsupported type', file('brief.pdf', '%PDF-1.7', 'application/pdf'), 'unsupported-type', /Import a \.txt, \.md or \.html file/],
  ]

  for (const [what, input, kind, message] of cases) {
    it(`refuses ${what} with a clear error and changes nothing`, async () => {
      const doc = newBoard()
      applyImport(doc, parseSourceText(FOLLOW_UP), as('ana'))
      const before = Y.encodeStateAsUpdate(doc)
      const importing = (async () => {
        const text = typeof input === 'string' ? input : await readUploadedFile(input)
        return applyImport(doc, parseSourceText(text), as('ana'))
      })()
      const error = await importing.then(
        () => undefined,
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(ImportError)
      expect(error).toMatchObject({ kind, message: expect.stringMatching(message) })
      expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
    })
  }
})
