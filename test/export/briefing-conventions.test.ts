/**
 * DOMAIN.md's briefing conventions, exported over HTTP by a real server in
 * every briefing format: what changed since the version's predecessor, which
 * for the live board and the board as of a time is the newest snapshot made
 * by then (read once, however many snapshots the board has); the ACH weight
 * as the product computes it (relevance M until rated, F and 6 the lowest
 * weight); and a lone hypothesis never called least refuted, nor its evidence
 * rated the same everywhere.
 */
import { afterEach, expect, it } from 'vitest'
import { LONE_HYPOTHESIS_NOTE, WEIGHT_NOTE } from '../../shared/ach.ts'
import { dropBidiControls } from '../../server/export/bidi.ts'
import type { Storage } from '../../server/storage/storage.ts'
import { dateTimeGroup } from '../../shared/date-time-group.ts'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { apiClient } from '../helpers/api.ts'
import { BRIEFING_FORMATS, readerText } from '../helpers/briefing-text.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

/** What follows a heading in a briefing's text, its list's first bullet (Markdown's "-", the PDF's "•") dropped; "" when the heading is not there. */
function underHeading(text: string, heading: string): string {
  const at = text.indexOf(heading)
  return at === -1 ? '' : text.slice(at + heading.length).replace(/^\s*[-•]?\s*/, '')
}

describeEachDialect(postgresMissing, 'briefing conventions on %s', (dialect) => {
  let server: TestServer | undefined
  afterEach(async () => {
    await server?.destroy()
    server = undefined
  })

  /** Counts the snapshot states the server reads: what comparing a version with its predecessor costs. */
  let stateReads = 0
  const countingStateReads = (storage: Storage): Storage => ({
    ...storage,
    snapshots: new Proxy(storage.snapshots, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (key === 'state') stateReads++
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    }),
  })

  // Sixteen exports, the DOCX and PDF ones each rendered in a worker thread: the time a loaded machine may need.
  it('says what changed since the newest snapshot of the moment, weighs as it says, and calls no lone hypothesis least refuted', async () => {
    const clock = testClock()
    server = await startTestServer({ dialect, clock, wrapStorage: countingStateReads })
    const { url } = server
    const api = apiClient(url)
    const boardId = await api.createBoard('Vilnius watch')
    const source = await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'Milblogger', reliability: 'F' })
    const claim = await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text: 'Convoys were seen near Grodno.', sourceId: source.body.id, credibility: 6 })
    const hypothesis = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Wagner moves north', kind: 'hypothesis', likelihood: 3 })
    expect((await api.post(`/api/boards/${boardId}/links`, { assessmentId: hypothesis.body.id, claimId: claim.body.id, rating: 'I' })).status).toBe(201)

    const exported = async (query: string) =>
      Object.fromEntries(
        await Promise.all(
          BRIEFING_FORMATS.map(async (format) => {
            const response = await fetch(`${url}/api/boards/${boardId}/export?format=${format}${query}`)
            expect(response.status, `${format}${query}`).toBe(200)
            return [format, dropBidiControls(readerText(format, new Uint8Array(await response.arrayBuffer())))] as const
          }),
        ),
      )

    const beforeAnySnapshot = clock.advance(MINUTE)
    for (const [format, text] of Object.entries(await exported(''))) {
      // No snapshot yet: nothing to compare the live board with.
      expect(text, format).not.toContain('Changes since')
      expect(text, format).toContain(WEIGHT_NOTE)
      expect(text, format).toContain(LONE_HYPOTHESIS_NOTE)
      expect(text, format).not.toContain('least refuted')
      // Nor is its one claim "rated the same everywhere": with one hypothesis there is nothing to choose between.
      expect(text.replace(/\s+/g, ' '), format).not.toContain('rated the same everywhere')
    }

    clock.advance(MINUTE)
    for (const label of ['Night brief', 'Morning brief']) {
      expect((await api.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label })).status).toBe(201)
      clock.advance(MINUTE)
    }
    const morning = (await api.get<SnapshotSummary[]>(`/api/boards/${boardId}/snapshots`)).body[0]!
    expect(morning.label).toBe('Morning brief')
    const sinceMorning = `Changes since snapshot “Morning brief” of ${dateTimeGroup(morning.createdAt)}`
    const unchangedSinceMorning = clock.advance(MINUTE)
    clock.advance(MINUTE)
    expect((await api.post(`/api/boards/${boardId}/assessments`, { title: 'Made after the brief' })).status).toBe(201)
    const afterTheEdit = clock.advance(MINUTE)

    stateReads = 0
    for (const [format, text] of Object.entries(await exported(''))) {
      expect(underHeading(text, sinceMorning), format).toMatch(/^Assessment added: “Made after the brief”\./)
    }
    // One state a format, the newest snapshot's: never the older one.
    expect(stateReads).toBe(BRIEFING_FORMATS.length)

    for (const [format, text] of Object.entries(await exported(`&asOf=${encodeURIComponent(afterTheEdit)}`))) {
      expect(underHeading(text, sinceMorning), format).toMatch(/^Assessment added: “Made after the brief”\./)
    }
    for (const [format, text] of Object.entries(await exported(`&asOf=${encodeURIComponent(unchangedSinceMorning)}`))) {
      expect(underHeading(text, sinceMorning), format).toMatch(/^Nothing changed\./)
    }
    // Before the first snapshot the board had none to be compared with.
    for (const [format, text] of Object.entries(await exported(`&asOf=${encodeURIComponent(beforeAnySnapshot)}`))) {
      expect(text, format).not.toContain('Changes since')
    }
  }, 180_000)
})
