/**
 * The board's yardstick changes only through its settings (PATCH
 * /api/boards/:id), where a change that restates the judgments' probability
 * ranges is confirmed, kept on the board, audited and noted in the briefing.
 * Against the real server with an editor's stock WebsocketProvider: setting
 * the profile from PHIA to ICD 203 (or back), or deleting it (read as ICD
 * 203), restated every judgment's range with no confirmation, no record and
 * no note; it now closes its sender 4422 with the board and its briefing as
 * they were. A change between ICD 203's two wording rows changes only words,
 * and still goes through.
 */
import { describe, expect, it } from 'vitest'
import { metaMap } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { waitFor } from './helpers/wait-for.ts'

describe("the board's yardstick over the websocket", () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Yardstick' })
  const base = () => `/api/boards/${given.boardId}`
  const readBoard = async () => (await given.api.get<BoardModel>(base())).body
  /** The live board's briefing, its date-time groups (the minute it was made) left out. */
  const markdown = async () => (await given.api.get<string>(`${base()}/export?format=md`)).body.replace(/\b\d{6}Z [A-Z]{3} \d{2}\b/g, '(DTG)')

  it('closes 4422 an editor who changes the yardstick, and lets a change of wording row through', async () => {
    expect((await given.api.patch(base(), { profile: 'phia' })).status).toBe(200)
    const analyst = await given.connectEditor('Ana Analyst')
    addAssessment(analyst.client.doc, { title: 'Fleet sails within the week', kind: 'key-judgment', likelihood: 2, confidence: 'moderate' })
    const before = await waitFor(async () => {
      const model = await readBoard()
      return model.assessments.length === 1 && model.profile === 'phia' ? model : null
    }, 'the board to hold the judgment')
    const exported = await markdown()
    expect(exported).toContain('PHIA')

    const attacks: [what: string, profile: string | null][] = [
      ['PHIA → ICD 203 row A', 'icd203'],
      ['PHIA → ICD 203 row B', 'icd203-alt'],
      ['the profile deleted', null],
    ]
    for (const [what, profile] of attacks) {
      const mallory = await given.connectEditor(`Mallory ${what}`)
      const meta = metaMap(mallory.client.doc)
      if (profile === null) meta.delete('profile')
      else meta.set('profile', profile)
      await waitFor(() => mallory.closes.length > 0 || undefined, `${what}: its sender closed`)
      expect(mallory.closes, what).toEqual([CLOSE.updateRejected.code])
      expect(await readBoard(), what).toEqual(before)
      expect(await markdown(), what).toBe(exported)
    }
    expect(analyst.closes).toEqual([])

    // On an ICD 203 board, its two wording rows share their ranges: a change between them restates nothing.
    expect((await given.api.patch(base(), { profile: 'icd203', restateLikelihoods: true })).status).toBe(200)
    await waitFor(() => metaMap(analyst.client.doc).get('profile') === 'icd203' || undefined, 'the analyst to see ICD 203')
    metaMap(analyst.client.doc).set('profile', 'icd203-alt')
    await waitFor(async () => ((await readBoard()).profile === 'icd203-alt' ? true : undefined), 'row B stored')
    expect(analyst.closes).toEqual([])
  })
})
