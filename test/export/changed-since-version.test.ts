/**
 * What the live board has changed since a snapshot or a past moment, as that
 * version's exports tell it, through the real server: a board re-marked
 * stricter since prints the stricter marking in every format (the bars at the
 * top and bottom, the STIX marking definitions) with a line saying so, and a
 * claim retracted since is marked in every citation of it.
 */
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { stixVersionConflicts, stixViolations, type StixBundle } from '../../server/export/stix-validation.ts'
import { addToken } from '../helpers/accounts.ts'
import { wordText } from '../helpers/fixture-board.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { pdfPages } from '../helpers/pdf-layout.ts'
import { tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const TLP_RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'
const TLP_AMBER = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'

describe('a version’s export, after the live board changed', () => {
  const board = useOwnedBoard({ owner: 'Olga Owner', board: 'Wagner in Belarus' })
  const dirs: string[] = []

  const download = async (query: string): Promise<Buffer> => {
    const authorization = `Bearer ${(await addToken(board.server, board.owner)).token}`
    const response = await fetch(`${board.server.url}/api/boards/${board.boardId}/export?${query}`, { headers: { authorization } })
    expect(response.status, query).toBe(200)
    return Buffer.from(await response.arrayBuffer())
  }
  /** The file written to a temp folder of the test's, removed after it. */
  const saved = (body: Buffer, name: string): string => {
    const dir = tempDir('assay-changed-since-')
    dirs.push(dir)
    const file = join(dir, name)
    writeFileSync(file, body)
    return file
  }
  const texts = async (version: string) => ({
    md: (await download(`format=md&${version}`)).toString('utf8'),
    html: (await download(`format=html&${version}`)).toString('utf8'),
    // The Word document's body, then its footnotes (the citations).
    docx: wordText(execFileSync('unzip', ['-p', saved(await download(`format=docx&${version}`), 'b.docx'), 'word/document.xml', 'word/footnotes.xml'], { encoding: 'utf8' })),
  })

  /** The board marked TLP:AMBER with a judgment resting on one claim; the claim's id. */
  const seed = async (): Promise<string> => {
    expect((await board.api.patch(`/api/boards/${board.boardId}`, { marking: 'TLP:AMBER' })).status).toBe(200)
    const source = await board.api.post<{ id: string }>(`/api/boards/${board.boardId}/sources`, { name: 'NATO', reliability: 'B' })
    const claim = await board.api.post<{ id: string }>(`/api/boards/${board.boardId}/claims`, { text: 'Convoys were seen near Asipovichy.', sourceId: source.body.id, credibility: 2 })
    const assessment = await board.api.post<{ id: string }>(`/api/boards/${board.boardId}/assessments`, { title: 'Wagner settles in Belarus', kind: 'key-judgment', likelihood: 5 })
    expect((await board.api.post(`/api/boards/${board.boardId}/links`, { assessmentId: assessment.body.id, claimId: claim.body.id, rating: 'CC' })).status).toBe(201)
    return claim.body.id
  }

  it('prints the stricter marking of a snapshot and of a past moment once the board is re-marked TLP:RED, in every format', async () => {
    try {
      await seed()
      const snapshot = await board.api.post<{ id: string; createdAt: string }>(`/api/boards/${board.boardId}/snapshots`, { label: 'Morning brief' })
      expect(snapshot.status).toBe(201)
      const moment = new Date().toISOString()
      await waitFor(() => new Date().toISOString() > moment, 'the clock to move past the moment')
      const before = JSON.parse((await download(`format=stix&snapshot=${snapshot.body.id}`)).toString('utf8')) as StixBundle
      expect((await board.api.patch(`/api/boards/${board.boardId}`, { marking: 'TLP:RED' })).status).toBe(200)

      for (const version of [`snapshot=${snapshot.body.id}`, `asOf=${encodeURIComponent(moment)}`]) {
        const { md, html, docx } = await texts(version)
        expect(md, version).toMatch(/^\*\*TLP:RED\*\*\n/)
        expect(md.trimEnd(), version).toMatch(/\*\*TLP:RED\*\*$/)
        expect(/\.marking \{[^}]*color: #([0-9A-F]{6})/i.exec(html)?.[1], version).toBe('FF2B2B')
        expect([...html.matchAll(/<div class="marking">([^<]*)<\/div>/g)].map((m) => m[1]), version).toEqual(['TLP:RED', 'TLP:RED'])
        for (const [format, text] of Object.entries({ md, html, docx })) {
          expect(text, `${version} ${format}`).toContain('The board has been re-marked since')
          expect(text, `${version} ${format}`).toContain('This briefing carries the stricter, the board’s marking now.')
        }
        const pages = pdfPages(saved(await download(`format=pdf&${version}`), 'b.pdf'))
        for (const page of pages) {
          const words = page.words.map((w) => w.text)
          expect(words.filter((w) => w === 'TLP:RED').length, version).toBeGreaterThanOrEqual(2)
        }

        const bundle = JSON.parse((await download(`format=stix&${version}`)).toString('utf8')) as StixBundle
        expect(stixViolations(bundle)).toEqual([])
        const definitions = bundle.objects.filter((o) => o.type === 'marking-definition').map((o) => o.id)
        expect(definitions, version).toEqual([TLP_RED])
        expect(bundle.objects.filter((o) => o.type !== 'marking-definition' && o.type !== 'identity').every((o) => JSON.stringify(o.object_marking_refs) === JSON.stringify([TLP_RED]))).toBe(true)
        // Another marking is another version of the snapshot's objects, never another content of the same version.
        expect(stixVersionConflicts([before, bundle])).toEqual([])
      }
      expect(before.objects.filter((o) => o.type === 'marking-definition').map((o) => o.id)).toEqual([TLP_AMBER])
    } finally {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
    }
  })

  it('keeps a snapshot’s stricter marking when the board is re-marked less strictly, saying so', async () => {
    await seed()
    const snapshot = await board.api.post<{ id: string }>(`/api/boards/${board.boardId}/snapshots`, { label: 'Morning brief' })
    expect((await board.api.patch(`/api/boards/${board.boardId}`, { marking: 'TLP:GREEN' })).status).toBe(200)
    const md = (await download(`format=md&snapshot=${snapshot.body.id}`)).toString('utf8')
    expect(md).toMatch(/^\*\*TLP:AMBER\*\*\n/)
    expect(md).toContain('This briefing carries the stricter, the version’s own.')
  })

  it('marks each citation of a claim retracted since the snapshot, as the live board’s export marks a retracted one', async () => {
    try {
      const claimId = await seed()
      const snapshot = await board.api.post<{ id: string }>(`/api/boards/${board.boardId}/snapshots`, { label: 'Morning brief' })
      expect((await board.api.patch(`/api/boards/${board.boardId}/claims/${claimId}`, { status: 'retracted' })).status).toBe(200)
      const footnote = 'NATO (B2): “Convoys were seen near Asipovichy.” (added by hand)'
      for (const [format, text] of Object.entries(await texts(`snapshot=${snapshot.body.id}`))) {
        const plain = text.replace(/[\u2068\u2069]/g, '').replace(/<\/?bdi>/g, '')
        expect(plain, format).toContain('1 judgment relied on a claim retracted since.')
        expect(plain, format).toContain(`${footnote} (retracted since this snapshot) — very consistent (CC).`)
      }
      const live = (await download('format=md')).toString('utf8').replace(/[\u2068\u2069]/g, '')
      expect(live).toContain(`${footnote} (retracted) — very consistent (CC).`)
    } finally {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
    }
  })
})
