/**
 * The yardstick recorded with a likelihood (server/relay/yardstick-record.ts),
 * against the real server with stock WebsocketProviders. An editor's own
 * client that set `likelihoodYardstick` alone ("phia" on a card stated under
 * ICD 203) had every export say its author stated the band under PHIA; one
 * that deleted it had a band awaiting restatement read as the board's own; a
 * band set alone on such a card (a page loaded before records were kept) read
 * in words its page never showed. Each now closes its sender 4422 with the
 * board as it was, while the app's own writes go through: a band with its
 * yardstick (the board's, or the one a page offline across a change saw), a
 * band alone on a card read under the board's yardstick, and "keep band N".
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { entity } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { updateAssessment } from '../shared/board-mutations.ts'
import type { ChecksReport } from '../shared/checks-report.ts'
import { CLOSE } from '../shared/protocol.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { waitFor } from './helpers/wait-for.ts'

describe("a likelihood's recorded yardstick over the websocket", () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Yardstick record' })
  const base = () => `/api/boards/${given.boardId}`
  const readBoard = async () => (await given.api.get<BoardModel>(base())).body
  const stated = async (id: string) => {
    const card = (await readBoard()).assessments.find((a) => a.id === id)!
    return [card.likelihood, card.likelihoodYardstick]
  }
  const markdown = async () => (await given.api.get<string>(`${base()}/export?format=md`)).body

  /** Makes `change` on a fresh editor's own doc, and expects it refused: its sender closed 4422, the board as it was. */
  const refused = async (what: string, id: string, change: (card: Y.Map<unknown>) => void) => {
    const before = await readBoard()
    const mallory = await given.connectEditor(`Mallory ${what}`)
    change(entity(mallory.client.doc, 'assessments', id)!)
    await waitFor(() => mallory.closes.length > 0 || undefined, `${what}: its sender closed`)
    expect(mallory.closes, what).toEqual([CLOSE.updateRejected.code])
    expect(await readBoard(), what).toEqual(before)
  }

  /** Makes `change` on a fresh editor's own doc as one transaction, and waits for the board to hold `expected`. */
  const accepted = async (what: string, id: string, change: (card: Y.Map<unknown>) => void, expected: unknown[]) => {
    const writer = await given.connectEditor(`Writer ${what}`)
    writer.client.doc.transact(() => change(entity(writer.client.doc, 'assessments', id)!))
    await waitFor(async () => (JSON.stringify(await stated(id)) === JSON.stringify(expected) ? true : undefined), `${what}: stored`)
    expect(writer.closes, what).toEqual([])
  }

  it('refuses a record set or deleted apart from its band, and a band a stale record would misread; lets the honest writes through', async () => {
    const id = (await given.api.post<{ id: string }>(`${base()}/assessments`, { title: 'Talks resume', likelihood: 4, confidence: 'low' })).body.id
    expect(await stated(id)).toEqual([4, 'icd203'])
    const analyst = await given.connectEditor('Ana Analyst')

    // The forged record alone: the ICD 203 author would be said to have stated "realistic possibility" under PHIA.
    await refused('PHIA recorded alone', id, (card) => card.set('likelihoodYardstick', 'phia'))
    expect(await markdown()).toContain('We assess the likelihood as roughly even chance (45–55%).')

    // A page loaded before records were kept sets the band alone: read under the board's yardstick, as its page showed it.
    await accepted('band alone', id, (card) => card.set('likelihood', 5), [5, 'icd203'])

    expect((await given.api.patch(base(), { profile: 'phia', restateLikelihoods: true })).status).toBe(200)
    expect(await stated(id)).toEqual([5, 'phia'])

    // A band with the yardstick its page saw before the change (offline, in flight): its author's words, flagged.
    await accepted('band with ICD 203', id, (card) => {
      card.set('likelihood', 3)
      card.set('likelihoodYardstick', 'icd203')
    }, [3, 'icd203'])

    await refused('record deleted alone', id, (card) => card.delete('likelihoodYardstick'))
    await refused('band alone on a stale record', id, (card) => card.set('likelihood', 6))
    expect(await markdown()).toContain('The likelihood stated under ICD 203 (wording row A) as unlikely, 20–45%; needs restating under PHIA probability yardstick.')

    // "keep band 3" in the inspector: the band again, with the board's yardstick.
    updateAssessment(analyst.client.doc, id, { likelihood: 3 })
    await waitFor(async () => (JSON.stringify(await stated(id)) === '[3,"phia"]' ? true : undefined), 'the band restated')
    const checks = (await given.api.get<ChecksReport>(`${base()}/checks`)).body
    expect(checks.findings.filter((f) => f.rule === 'likelihood-needs-restatement')).toEqual([])
    expect(analyst.closes).toEqual([])
  })
})
