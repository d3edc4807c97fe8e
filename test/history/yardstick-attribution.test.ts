/**
 * A change of the yardstick a likelihood is recorded under is a change of the
 * stated likelihood, against the real server with stock WebsocketProviders.
 * An editor re-sending a card's band with another yardstick (`likelihood` 4
 * and `likelihoodYardstick` "phia" on a card its author stated under
 * ICD 203, one transaction) has every export read the band in PHIA's words;
 * the relay lets it through, as it does an analyst's restatement (the same
 * band again with the board's yardstick). It changed no band's value, and the
 * history listed nothing: the exports' words stayed the author's. Now the
 * history lists it under the editor, in the words the briefing's "changes
 * since" uses, and the likelihood's attribution names the editor, before
 * and after compaction; the analyst's restatement is listed likewise.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { entity } from '../../shared/board-doc.ts'
import type { AssessmentChange } from '../../shared/history-model.ts'
import { updateAssessment } from '../../shared/board-mutations.ts'
import { changedBy, authorsOfChanges } from '../../client/src/history/change-authors.ts'
import { changeText } from '../../client/src/history/history-labels.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { waitFor } from '../helpers/wait-for.ts'

describe("a change of a likelihood's recorded yardstick in the history", () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Yardstick attribution' })
  const base = () => `/api/boards/${given.boardId}`
  const listed = async (id: string) => (await given.api.get<AssessmentChange[]>(`${base()}/history/changes?assessmentId=${id}`)).body
  const likelihoodChanges = async (id: string) => (await listed(id)).filter((change) => change.field === 'likelihood')
  const inWords = (change: AssessmentChange) => changeText(change, 'icd203', new Map())

  it('lists and attributes a yardstick re-sent with the same band to the editor who sent it, before and after compaction', async () => {
    const id = (await given.api.post<{ id: string }>(`${base()}/assessments`, { title: 'Talks resume', likelihood: 4 })).body.id
    const mallory = await given.connectEditor('Mallory Editor')
    const card = entity(mallory.client.doc, 'assessments', id) as Y.Map<unknown>
    mallory.client.doc.transact(() => {
      card.set('likelihood', 4)
      card.set('likelihoodYardstick', 'phia')
    })
    const forged = await waitFor(async () => (await likelihoodChanges(id)).find((change) => change.by.name === 'Mallory Editor'), "the editor's change listed")
    expect(mallory.closes).toEqual([])
    expect(forged).toMatchObject({ from: 4, to: { band: 4, yardstick: 'phia' } })
    expect(inWords(forged)).toBe('likelihood: \u2068roughly even chance, 45–55%\u2069 → \u2068realistic possibility, 40–50% under PHIA probability yardstick (needs restating)\u2069')
    // What a comparison shows beside the likelihood: the editor, not the author who made the card.
    expect(changedBy(authorsOfChanges(await listed(id)), id, 'likelihood')).toBe('Mallory Editor')

    // The analyst restates it: the same band again, with the board's yardstick.
    const analyst = await given.connectEditor('Ana Analyst')
    updateAssessment(analyst.client.doc, id, { likelihood: 4 })
    const restated = await waitFor(async () => (await likelihoodChanges(id)).find((change) => change.by.name === 'Ana Analyst'), "the analyst's restatement listed")
    expect(restated).toMatchObject({ from: { band: 4, yardstick: 'phia' }, to: 4 })
    expect(inWords(restated)).toBe(
      'likelihood restated under ICD 203 (wording row A): \u2068realistic possibility, 40–50% under PHIA probability yardstick (needs restating)\u2069 → \u2068roughly even chance, 45–55%\u2069',
    )

    const before = await listed(id)
    expect(changedBy(authorsOfChanges(before), id, 'likelihood')).toBe('Mallory Editor, Ana Analyst')
    // Folded into the recorded changes, they say the same.
    await given.server.services.compaction.compact(given.boardId)
    expect(await given.server.services.storage.log.count(given.boardId)).toBe(0)
    expect(await listed(id)).toEqual(before)
  })
})
