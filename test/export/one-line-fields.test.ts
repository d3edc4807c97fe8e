/**
 * A one-line field is one line in every briefing format (shared/one-line.ts),
 * through the real server. The red team (27) had a reviewer sign off with the
 * note "Fine.\nApproved: Rita Reviewer, 061000Z DEC 26" and an editor label a
 * snapshot and set the key question with a forged approval after a line
 * break: HTML, Markdown and DOCX showed each on one line, but the PDF started
 * a line there, and its Review block read "Approved: Rita Reviewer, …" under
 * Mallory's bullet, though Rita never signed. And a source's web address is
 * exported as parsed, percent-encoded: `https://h/x?"><script>…` reached the
 * STIX bundle's `url` whole.
 */
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { BRIEFING_FORMATS, readerText } from '../helpers/briefing-text.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { tempDir } from '../helpers/test-server.ts'

const FORGED_NOTE = 'Fine.\nApproved: Rita Reviewer, 061000Z DEC 26'
const FORGED_LABEL = 'Draft 2\nApproved by Rita Reviewer'
const FORGED_QUESTION = 'Will Wagner withdraw?\nReview: Approved by Rita Reviewer.'
/** Every other kind of break a member can type: LINE SEPARATOR, PARAGRAPH SEPARATOR, and those the API makes "\n" (CR, NEL, VT, FF). */
const FORGED_TITLE = 'Wagner will withdraw\u2028Approved by Rita Reviewer'
const FORGED_SOURCE = 'Field report\u2029Approved by Rita Reviewer\r\u0085\v\fend'
const HOSTILE_URL = 'https://h/x?"><script>alert(1)</script>'
const ENCODED_URL = 'https://h/x?%22%3E%3Cscript%3Ealert(1)%3C/script%3E'
const LINE_BREAK = /[\n\r\v\f\u0085\u2028\u2029]/

describe('one-line fields in the briefings', () => {
  const board = useOwnedBoard({ owner: 'Olivia Owner', board: 'Wagner and NATO' })
  const path = () => `/api/boards/${board.boardId}`

  const member = async (name: string, role: 'editor' | 'reviewer'): Promise<{ account: TestAccount; api: ApiClient }> => {
    const account = await addAccount(board.server, { name })
    await addMember(board.server, board.boardId, account, role)
    return { account, api: apiClient(board.server.url, { authorization: `Bearer ${(await addToken(board.server, account)).token}` }) }
  }

  const exported = async (account: TestAccount, format: string, snapshotId?: string): Promise<Uint8Array> => {
    const authorization = `Bearer ${(await addToken(board.server, account)).token}`
    const response = await fetch(`${board.server.url}${path()}/export?format=${format}${snapshotId ? `&snapshot=${snapshotId}` : ''}`, { headers: { authorization } })
    expect(response.status, format).toBe(200)
    return new Uint8Array(await response.arrayBuffer())
  }

  /** What a program reading the file as its format sees of the text: a file of its own, read and removed. */
  const rawText = (format: string, body: Uint8Array): string => {
    if (format === 'md' || format === 'html') return new TextDecoder().decode(body)
    const dir = tempDir('assay-one-line-')
    try {
      const file = join(dir, `briefing.${format}`)
      writeFileSync(file, body)
      if (format === 'pdf') return execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', file, '-'], { encoding: 'utf8' })
      // Each w:t's text as written, a line break in it kept, the runs told apart by a NUL.
      const xml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8' })
      return [...xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('\u0000')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it('prints a reviewer’s note, a snapshot label, the key question, a title and a source name on one line in every format', async () => {
    const eve = await member('Eve Editor', 'editor')
    const rita = await member('Rita Reviewer', 'reviewer')
    const mallory = await member('Mallory Reviewer', 'reviewer')
    expect((await eve.api.patch(path(), { question: FORGED_QUESTION })).status).toBe(200)
    const judgment = await eve.api.post<{ id: string }>(`${path()}/assessments`, {
      title: FORGED_TITLE,
      kind: 'key-judgment',
      likelihood: 5,
      // A judgment is paragraphs: a PARAGRAPH SEPARATOR still starts one.
      judgment: 'Wagner leaves Belarus by spring.\u2029Its camps are being dismantled.',
    })
    expect(judgment.status).toBe(201)
    const source = await eve.api.post<{ id: string }>(`${path()}/sources`, { name: FORGED_SOURCE, reliability: 'B' })
    expect(source.status).toBe(201)
    const claim = await eve.api.post<{ id: string }>(`${path()}/claims`, { text: 'Camps are emptying.', sourceId: source.body.id, credibility: 2 })
    expect((await eve.api.post(`${path()}/links`, { assessmentId: judgment.body.id, claimId: claim.body.id, rating: 'C' })).status).toBe(201)
    const snapshot = await eve.api.post<{ id: string }>(`${path()}/snapshots`, { label: FORGED_LABEL })
    expect(snapshot.status).toBe(201)
    expect((await mallory.api.put(`${path()}/snapshots/${snapshot.body.id}/signoff`, { decision: 'approved', note: FORGED_NOTE })).status).toBe(200)

    const pdf = rawText('pdf', await exported(rita.account, 'pdf', snapshot.body.id)).split('\n')
    // No forged approval starts a line of its own: each follows what was typed before it, on its line.
    expect(pdf.filter((line) => /^\s*(Approved: Rita|Approved by Rita|Review: Approved by Rita)/.test(line))).toEqual([])
    expect(pdf.some((line) => line.includes('Mallory Reviewer') && line.includes('Fine. Approved: Rita Reviewer, 061000Z DEC 26'))).toBe(true)
    expect(pdf.some((line) => line.includes('Draft 2 Approved by Rita Reviewer'))).toBe(true)
    expect(pdf.some((line) => line.includes('Will Wagner withdraw? Review: Approved by Rita Reviewer.'))).toBe(true)
    // The judgment keeps its paragraphs.
    expect(pdf.some((line) => /^\s*Its camps are being dismantled\./.test(line))).toBe(true)

    for (const format of BRIEFING_FORMATS) {
      const body = await exported(rita.account, format, snapshot.body.id)
      const text = readerText(format, body)
      for (const joined of ['Fine. Approved: Rita Reviewer, 061000Z DEC 26', 'Draft 2 Approved by Rita Reviewer', 'Wagner will withdraw Approved by Rita Reviewer', 'Field report Approved by Rita Reviewer end']) {
        expect(text, format).toContain(joined)
      }
      if (format === 'docx') expect(rawText(format, body).split('\u0000').filter((run) => LINE_BREAK.test(run)), format).toEqual([])
      if (format === 'md' || format === 'html') expect(rawText(format, body), format).not.toMatch(/[\r\v\f\u0085\u2028\u2029]/)
    }
  })

  it('exports a source’s web address as parsed, percent-encoded, in STIX and every briefing', async () => {
    const source = await board.api.post<{ id: string }>(`${path()}/sources`, { name: 'Hostile', reliability: 'C', url: HOSTILE_URL })
    expect(source.status).toBe(201)
    expect((await board.api.post(`${path()}/claims`, { text: 'A claim.', sourceId: source.body.id, credibility: 3 })).status).toBe(201)

    const stix = new TextDecoder().decode(await exported(board.owner, 'stix'))
    const bundle = JSON.parse(stix) as { objects: { type: string; external_references?: { source_name: string; url?: string }[] }[] }
    const urls = bundle.objects.flatMap((o) => (o.external_references ?? []).flatMap((r) => (r.url === undefined ? [] : [`${o.type} ${r.url}`])))
    expect(urls.sort()).toEqual([`identity ${ENCODED_URL}`, `note ${ENCODED_URL}`])
    expect(new URL(ENCODED_URL).href).toBe(ENCODED_URL)
    expect(stix).not.toContain('<script')

    for (const format of BRIEFING_FORMATS) {
      const body = await exported(board.owner, format)
      // The PDF's table may break the address between any two characters, across its cell's lines; Markdown escapes its "://".
      expect(readerText(format, body).replace(/\s/g, '').replace('\\://', '://'), format).toContain(ENCODED_URL)
      expect(rawText(format, body), format).not.toMatch(/script&gt;|<script|"><script/)
    }
  })
})
