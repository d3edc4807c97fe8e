/**
 * Text is clean at the boundary: what no document format can carry (control
 * characters, noncharacters, lone surrogates) is dropped from HTTP bodies and
 * imports, refused on the websocket (nothing stored, the sender closed with a
 * named code), and still dropped by the renderers from a board stored before
 * the rule. Authorship comes from who is signed in, never from the body.
 */
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assessmentText, requireEntity } from '../../shared/board-doc.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { hasUncarriableText } from '../../shared/text-hygiene.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { closeCodes } from '../helpers/yjs-client.ts'

/** One of each kind of character no format can carry, between ordinary letters. */
const DIRTY = 'a\u0000b\u0007c\u001Bd\u007Fe\u0085f\uFDD0g\uFFFEh\uFFFFi\u{1FFFE}j\u{10FFFF}k\uD800l\uDC00m'
/** DIRTY as stored: NEL a newline, lone surrogates U+FFFD, the rest dropped. */
const CLEAN = 'abcde\nfghijk\uFFFDl\uFFFDm'
type ErrorBody = { error: { code: string; message: string } }

/** jsdom ships no types; this is all of it the test uses: a strict XML 1.0 parser. */
const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string) => { window: { DOMParser: typeof DOMParser; close(): void } } }

describe('text at the boundary', () => {
  const given = useOwnedBoard({ owner: 'Erin Editor', board: 'Clean text' })

  const storedModel = () => storedBoard(given.server, given.boardId)
  const anyUncarriable = (model: BoardModel) => hasUncarriableText(JSON.stringify(model, (_key, value: unknown) => value))

  it('drops it from every text field of an HTTP body, and turns foreign line breaks into newlines', async () => {
    const created = await given.api.post<{ id: string }>('/api/boards', { title: `Board ${DIRTY}`, marking: `TLP:AMBER\uFFFE` })
    expect(created.status).toBe(201)
    const board = await given.api.get<BoardModel>(`/api/boards/${created.body.id}`)
    expect(board.body.title).toBe(`Board ${CLEAN}`)
    expect(board.body.marking).toBe('TLP:AMBER')

    const source = await given.api.post<{ id: string; name: string; note: string }>(`/api/boards/${given.boardId}/sources`, { name: `NATO\u0002`, note: `line one\r\nline two\rline three\fpage` })
    expect(source.body).toMatchObject({ name: 'NATO', note: 'line one\nline two\nline three\npage' })
    const claim = await given.api.post<{ text: string }>(`/api/boards/${given.boardId}/claims`, { text: `Claim ${DIRTY}`, sourceId: source.body.id })
    expect(claim.body.text).toBe(`Claim ${CLEAN}`)
    const assessment = await given.api.post<{ id: string; title: string; judgment: string; tags: string[] }>(`/api/boards/${given.boardId}/assessments`, {
      title: `Title ${DIRTY}`,
      judgment: `Judgment ${DIRTY}`,
      tags: [`tag\uFDEF`],
    })
    expect(assessment.body).toMatchObject({ title: `Title ${CLEAN}`, judgment: `Judgment ${CLEAN}`, tags: ['tag'] })
    const patched = await given.api.patch<{ judgment: string }>(`/api/boards/${given.boardId}/assessments/${assessment.body.id}`, { judgment: `Patched \uFFFF${DIRTY}` })
    expect(patched.body.judgment).toBe(`Patched ${CLEAN}`)
    // A field that is nothing but such characters is as empty as it looks.
    expect((await given.api.post<ErrorBody>(`/api/boards/${given.boardId}/claims`, { text: '\uFFFE\u0000', sourceId: source.body.id })).status).toBe(400)
    expect(anyUncarriable(await storedModel())).toBe(false)
  })

  it('drops it from an imported document, its claims and their offsets agreeing', async () => {
    const text = `Briefing\u000C\nTroops moved\u0007 at dawn.\uFFFE Roads were closed. [citation: NATO\uFDD0]\r\nA second\uD800 line. [citation: OSINT]`
    const imported = await given.api.post(`/api/boards/${given.boardId}/import`, { text, title: `Import ${DIRTY}` })
    expect(imported.status).toBe(200)
    const board = await given.api.get<BoardModel>(`/api/boards/${given.boardId}`)
    expect(board.body.claims.map((c) => c.text).sort()).toEqual(['A second\uFFFD line.', 'Roads were closed.', 'Troops moved at dawn.'])
    for (const claim of board.body.claims) expect((claim.end ?? 0) - (claim.start ?? 0)).toBe(claim.text.length)
    expect(board.body.sources.map((s) => s.name).sort()).toEqual(['NATO', 'OSINT'])
    expect(board.body.documents.map((d) => d.title)).toEqual([`Import ${CLEAN.replace('\n', ' ')}`])
    expect(anyUncarriable(await storedModel())).toBe(false)
  })

  it('refuses a websocket update that inserts it, closing that socket with a named code and storing nothing', async () => {
    const card = await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Card', judgment: 'Before.' })
    const witness = await given.connectAs(given.owner)
    const typist = await given.connectAs(await memberOfBoard('editor'))
    const setter = await given.connectAs(await memberOfBoard('editor'))
    const typistCloses = closeCodes(typist)
    const setterCloses = closeCodes(setter)

    assessmentText(typist.doc, card.body.id, 'judgment').insert(0, 'Hidden \uFFFE marker. ')
    requireEntity(setter.doc, 'assessments', card.body.id).set('kind', { nested: ['ok', 'bell\u0007'] })
    await waitFor(() => typistCloses.includes(CLOSE.invalidText.code), 'the typist closed for its U+FFFE')
    await waitFor(() => setterCloses.includes(CLOSE.invalidText.code), 'the setter closed for its control character')
    // A final close: the stock provider does not come back to send it again.
    expect([typist.provider.shouldConnect, setter.provider.shouldConnect]).toEqual([false, false])

    // The room carries on: a clean edit still travels, and the refused ones are nowhere.
    assessmentText(witness.doc, card.body.id, 'title').insert(4, ' still editable')
    const stored = async () => (await storedModel()).assessments[0]!
    await waitFor(async () => (await stored()).title === 'Card still editable', 'the clean edit stored')
    expect(await stored()).toMatchObject({ judgment: 'Before.', kind: 'assessment' })
    expect(boardToModel(witness.doc, given.boardId).assessments[0]).toMatchObject({ judgment: 'Before.', kind: 'assessment' })
    expect(anyUncarriable(await storedModel())).toBe(false)
  })

  it('exports a board stored before the rule to DOCX whose XML parses, and to clean STIX', async () => {
    const card = await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Old card', kind: 'key-judgment', likelihood: 5 })
    // As an older server stored it: straight into the document, past every schema.
    await given.server.services.rooms.withRoom(given.boardId, (room) =>
      room.change((doc) => assessmentText(doc, card.body.id, 'judgment').insert(0, `Held \uFFFE here, broken \uD83D and \uDE00 halves, bell \u0007.`)),
    )
    const download = async (format: string) => {
      const response = await fetch(`${given.server.url}/api/boards/${given.boardId}/export?format=${format}`, { headers: { authorization: `Bearer ${(await addToken(given.server, given.owner)).token}` } })
      expect(response.status).toBe(200)
      return new Uint8Array(await response.arrayBuffer())
    }
    const dir = tempDir('assay-docx-')
    try {
      const file = join(dir, 'board.docx')
      writeFileSync(file, await download('docx'))
      const parts = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).split('\n').filter((name) => name.endsWith('.xml') || name.endsWith('.rels'))
      expect(parts).toContain('word/document.xml')
      const { window } = new JSDOM('')
      // unzip reads a name as a pattern: "[Content_Types].xml" needs its brackets escaped.
      const read = (name: string) => execFileSync('unzip', ['-p', file, name.replace(/[[\]*?]/g, '\\$&')], { encoding: 'utf8' })
      for (const name of parts) {
        const xml = read(name)
        const parsed = new window.DOMParser().parseFromString(xml, 'application/xml')
        expect(parsed.getElementsByTagName('parsererror'), `${name} parses`).toHaveLength(0)
      }
      const body = read('word/document.xml')
      expect(body).toContain('broken \uFFFD and \uFFFD halves')
      expect(body).not.toContain('\uFFFE')
      window.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    const stix = new TextDecoder().decode(await download('stix'))
    expect(hasUncarriableText(stix)).toBe(false)
    expect(stix).not.toMatch(/\\u(fffe|d83d|de00|0007)/i)
  })

  it('sets authorship from who is signed in, and refuses a body that names an author', async () => {
    const source = await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/sources`, { name: 'NATO' })
    const forged = await given.api.post<ErrorBody>(`/api/boards/${given.boardId}/assessments`, { title: 'Forged', createdBy: 'Administrator' })
    expect(forged.status).toBe(400)
    expect(forged.body.error.message).toContain('createdBy')
    const forgedClaim = await given.api.post<ErrorBody>(`/api/boards/${given.boardId}/claims`, { text: 'Forged.', sourceId: source.body.id, createdBy: 'Administrator' })
    expect(forgedClaim.status).toBe(400)
    expect(forgedClaim.body.error.message).toContain('createdBy')
    expect((await given.api.get<BoardModel>(`/api/boards/${given.boardId}`)).body.assessments).toEqual([])

    const honest = await given.api.post<{ createdBy: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Honest' })
    expect(honest.body.createdBy).toBe('Erin Editor')
    const claim = await given.api.post<{ createdBy: string }>(`/api/boards/${given.boardId}/claims`, { text: 'Honest.', sourceId: source.body.id })
    expect(claim.body.createdBy).toBe('Erin Editor')
    await given.api.post(`/api/boards/${given.boardId}/import`, { text: 'Report\nThey met. [citation: NATO]' })
    expect((await given.api.get<BoardModel>(`/api/boards/${given.boardId}`)).body.documents.map((d) => d.importedBy)).toEqual(['Erin Editor'])
    const spec = (await given.api.get<{ paths: Record<string, { post: { requestBody: unknown } }> }>('/api/openapi.json')).body
    for (const path of ['/api/boards/{id}/assessments', '/api/boards/{id}/claims']) {
      expect(JSON.stringify(spec.paths[path]!.post.requestBody)).not.toContain('createdBy')
    }
  })

  async function memberOfBoard(role: 'editor'): Promise<TestAccount> {
    const account = await addAccount(given.server)
    await addMember(given.server, given.boardId, account, role)
    return account
  }
})
