/**
 * Two accounts racing one client id, round after round: under a fresh id,
 * one writes to instance one and the other, at the same moment, other
 * content to instance two. Both instances apply their own; the database
 * keeps one writer for the id, so the second commit is refused
 * (ClientIdTaken). Its room reset at once used to close every socket on the
 * board each round; it resets at most once every REWRITE_RESET_INTERVAL_MS,
 * as for a rewrite, its losing sender closed for good. Honest edits meanwhile,
 * in the refused batches too, are all stored, both instances end on the board
 * as stored, and the error line is written once an interval.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { boardJson, forgedRounds, honestTyping, reloadsOf, untilBoardAsStored } from './helpers/forged-rounds.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { boardOfRacingEditors } from './helpers/racing-editors.ts'
import { openedInTest } from './helpers/opened-in-test.ts'
import { openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { takenCommits } from './helpers/taken-commits.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')

/** Long enough that every round falls within the first interval. */
const INTERVAL_MS = 6000
const ROUNDS = 12
const ROUND_MS = 250

describeUnless(missing)('two accounts writing one fresh client id to two instances again and again', () => {
  const { start, connect } = instancesAfterEach()
  const { sockets } = openedInTest()

  /**
   * Runs the race, honest members typing on both instances all along, until
   * every honest edit is stored and both instances and the honest clients are
   * on the board as stored. `claims`: whether the instances decide fresh ids
   * through Redis (false: its counts connection closed, as while Redis is
   * away, and the database settles the race).
   */
  const race = async (claims: boolean) => {
    const taken = takenCommits()
    const errorLines: Record<string, unknown>[] = []
    const logSink = (line: string) => {
      if (/"level":50/.test(line)) errorLines.push(JSON.parse(line) as Record<string, unknown>)
    }
    const env = { REWRITE_RESET_INTERVAL_MS: String(INTERVAL_MS) }
    const one = await start({ accounts: true, logSink, env, wrapStorage: taken.wrap })
    const two = await start({ database: one.database, accounts: true, logSink, env, wrapStorage: taken.wrap })
    if (!claims) for (const server of [one, two]) server.services.sharedCounts?.disconnect()
    const { boardId, ownerToken, leftToken, rightToken } = await boardOfRacingEditors(one, 'Taken ids')

    const honest = [connect(one, boardId, { token: ownerToken }), connect(two, boardId, { token: ownerToken })] as const
    await Promise.all(honest.map((client) => client.synced()))
    const assessmentId = addAssessment(honest[0].doc, { title: 'Will the bridge hold?', judgment: 'Judgment.' })
    await waitFor(() => boardToModel(honest[1].doc, boardId).assessments.length === 1, 'the assessment on instance two')
    const closes = honest.map(reloadsOf)

    // Honest typing on both instances all along, each keystroke a marker of its own.
    const { typed, stop } = honestTyping(honest, assessmentId)
    let racers: RawSocket[]
    try {
      const open = () => Promise.all([openRawSocket(`${one.wsUrl}/${boardId}?token=${leftToken}`), openRawSocket(`${two.wsUrl}/${boardId}?token=${rightToken}`)])
      racers = await forgedRounds({ rounds: ROUNDS, roundMs: ROUND_MS, idBase: 0x200000, base: () => Y.encodeStateAsUpdate(honest[0].doc), assessmentId, open, text: (round, socket) => `${socket === 0 ? 'left' : 'right'} ${round} ` })
      sockets.push(...racers)
    } finally {
      stop()
    }
    // An instance holding content refused in the last rounds reloads once the interval since its last reload ends.
    const json = await untilBoardAsStored([one, two], boardId, honest, assessmentId, typed, INTERVAL_MS * 4)
    for (const server of [one, two]) {
      const fresh = connect(server, boardId, { token: ownerToken })
      await fresh.synced()
      expect(boardJson(fresh.doc, boardId)).toBe(json)
    }

    // Each round's losing sender is closed for good, or told to reconnect by a reset it came before.
    await waitFor(() => racers.filter((socket) => socket.isClosed()).length >= ROUNDS, 'a losing sender closed each round')
    const racerCodes = (await Promise.all(racers.filter((socket) => socket.isClosed()).map((socket) => socket.closed))).map(({ code }) => code)
    return { taken: taken.count(), closes, racerCodes, errorLines }
  }

  it('refuses the second as it arrives: no reload, every honest edit stored, the losing sender closed for good', async () => {
    const { taken, closes, racerCodes, errorLines } = await race(true)
    // Settled as the updates arrive, before either is applied (fresh-id-claims.ts): no commit is refused for it.
    expect(taken).toBe(0)
    for (const { at, otherCodes } of closes) {
      expect(at).toEqual([])
      expect(otherCodes).toEqual([])
    }
    expect(racerCodes.filter((code) => code !== CLOSE.updateRejected.code)).toEqual([])
    expect(errorLines.filter((line) => String(line.msg).startsWith('applying a change left'))).toEqual([])
  })

  it('while Redis is away, the database settles it: a reload at most once an interval, every honest edit stored, the error line once an interval', async () => {
    const { taken, closes, racerCodes, errorLines } = await race(false)
    // The race was run: most rounds, one of the two commits was refused.
    expect(taken).toBeGreaterThanOrEqual(ROUNDS / 2)
    // At most one reload an interval on each instance: the first at once, then one for all the rounds after it.
    for (const { at, otherCodes } of closes) {
      expect(at.length).toBeLessThanOrEqual(2)
      expect(otherCodes).toEqual([])
    }
    expect(racerCodes.filter((code) => code === CLOSE.updateRejected.code).length).toBeGreaterThanOrEqual(ROUNDS / 2)
    expect(racerCodes.filter((code) => code !== CLOSE.updateRejected.code && code !== CLOSE.boardReloaded.code)).toEqual([])
    // The error lines about it, each counting what was found since the last, and the resets': once an interval on each instance.
    const found = errorLines.filter((line) => typeof line.found === 'number')
    expect(found.length).toBeGreaterThan(0)
    expect(found.length).toBeLessThanOrEqual(4)
    expect(errorLines.filter((line) => String(line.msg).startsWith('applying a change left')).length).toBeLessThanOrEqual(4)
  })
})
