/**
 * A flood of presence within every per-frame and per-second limit, against
 * the real server with stock clients: each state the relay sends out, every
 * stock client sends back. The honest editor's two tabs must not pay for what
 * they send back, and what the flood gets applied is bounded by its person's
 * presence bytes a second, whatever the room's size.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { addAssessment } from '../shared/board-mutations.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { CLOSE } from '../shared/protocol.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { frames, openRawSocket, receivedPresence, type RawSocket } from './helpers/raw-socket.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from './helpers/yjs-client.ts'

/** The red team's flood: two reviewers, six sockets each, each changing four client ids with 3.8 KB states ten times a second (what a connection may have applied). */
const FLOODERS = 2
const SOCKETS_PER_FLOODER = 6
const IDS_PER_SOCKET = 4
const STATE_PAD = 3800
const FLOOD_INTERVAL_MS = 100
/** Frames each flooding socket sends: twelve seconds of them, long enough on main for the editor's sent-back bytes to run past their allowance. */
const FLOOD_FRAMES = 120
/**
 * The honest editor's pace: a keystroke at most every 20 ms, faster than anyone types. Sent as fast as the other
 * tab shows each, a loop types hundreds a second and is rightly closed for its own messages a second.
 */
const KEYSTROKE_INTERVAL_MS = 20

describe('a presence flood', () => {
  let server: TestServer
  const clients: TestClient[] = []
  const sockets: RawSocket[] = []
  const timers: NodeJS.Timeout[] = []

  afterEach(async () => {
    for (const timer of timers.splice(0)) clearInterval(timer)
    for (const client of clients.splice(0)) client.destroy()
    for (const socket of sockets.splice(0)) socket.terminate()
    await server.destroy()
  })

  async function floodedBoard(env: Record<string, string>) {
    server = await startTestServer({ accounts: true, env })
    const owner = await addAccount(server, { name: 'Ana Petrova' })
    const ownerToken = (await addToken(server, owner)).token
    const boardId = await apiClient(server.url, { authorization: `Bearer ${ownerToken}` }).createBoard('Flooded')
    const reviewerTokens: string[] = []
    for (let i = 0; i <= FLOODERS; i++) {
      const reviewer = await addAccount(server, { name: `Reviewer ${i}` })
      await addMember(server, boardId, reviewer, 'reviewer')
      reviewerTokens.push((await addToken(server, reviewer)).token)
    }
    const tab = () => {
      const client = connectClient(server.wsUrl, boardId, { token: ownerToken })
      clients.push(client)
      return client
    }
    const [writer, other] = [tab(), tab()]
    const closes = [closeCodes(writer), closeCodes(other)]
    await writer.synced()
    await other.synced()
    const assessmentId = addAssessment(writer.doc, { title: 'Typed into' })
    await waitFor(() => other.doc.getMap('assessments').has(assessmentId), 'the assessment at the other tab')
    const reader = await openRawSocket(`${server.wsUrl}/${boardId}?token=${reviewerTokens[0]}`)
    sockets.push(reader)
    return { boardId, reviewerTokens: reviewerTokens.slice(1), writer, other, closes, assessmentId, reader }
  }

  /** Starts the flood; resolves with the flood's client ids once every socket has sent all its frames. */
  async function flood(boardId: string, tokens: string[]): Promise<{ ids: Set<number>; done: () => boolean }> {
    const ids = new Set<number>()
    let finished = 0
    for (const token of tokens) {
      for (let s = 0; s < SOCKETS_PER_FLOODER; s++) {
        const socket = await openRawSocket(`${server.wsUrl}/${boardId}?token=${token}`)
        sockets.push(socket)
        const mine = Array.from({ length: IDS_PER_SOCKET }, () => 1 + Math.floor(Math.random() * 2 ** 30))
        for (const id of mine) ids.add(id)
        let clock = 0
        const timer = setInterval(() => {
          if (++clock > FLOOD_FRAMES || socket.isClosed()) {
            clearInterval(timer)
            finished++
            return
          }
          const json = JSON.stringify({ focus: { assessmentId: null }, pad: String(clock).padEnd(STATE_PAD, 'x') })
          socket.send(frames.awareness(mine.map((clientId) => ({ clientId, clock, json }))))
        }, FLOOD_INTERVAL_MS)
        timers.push(timer)
      }
    }
    return { ids, done: () => finished === tokens.length * SOCKETS_PER_FLOODER }
  }

  /** Types into one tab until the flood is over, each keystroke waited for at the other. */
  async function typeThroughout(writer: TestClient, other: TestClient, assessmentId: string, floodOver: () => boolean): Promise<number> {
    let typed = 0
    while (!floodOver()) {
      const mark = `<${typed++}>`
      const next = sleep(KEYSTROKE_INTERVAL_MS)
      assessmentText(writer.doc, assessmentId, 'judgment').insert(0, mark)
      await waitFor(() => assessmentText(other.doc, assessmentId, 'judgment').toString().includes(mark), `keystroke ${mark} at the other tab`)
      await next
    }
    return typed
  }

  it('the honest editor’s two stock tabs send back the flood without being closed for it, and their edits arrive', async () => {
    // Every change of the flood applied, as before any presence budget: what the tabs send back is the room's own.
    const board = await floodedBoard({ PRESENCE_BYTES_PER_SECOND_PER_PERSON: String(2 ** 30) })
    const { ids, done } = await flood(board.boardId, board.reviewerTokens)
    const typed = await typeThroughout(board.writer, board.other, board.assessmentId, done)

    const reached = receivedPresence(board.reader.received).filter((entry) => ids.has(entry.clientId))
    // The flood did reach the room, much of it: many megabytes for each tab to send back.
    expect(reached.length).toBeGreaterThan(ids.size * 30)
    expect(board.closes.flat()).not.toContain(CLOSE.rateLimited.code)
    expect(board.writer.provider.wsconnected && board.other.provider.wsconnected).toBe(true)
    expect(typed).toBeGreaterThan(0)
  })

  it('what the flood gets applied is bounded by its persons’ presence bytes a second; the editor is not closed', async () => {
    const budget = 32 * 1024
    const board = await floodedBoard({ PRESENCE_BYTES_PER_SECOND_PER_PERSON: String(budget) })
    const started = performance.now()
    const { ids, done } = await flood(board.boardId, board.reviewerTokens)
    await typeThroughout(board.writer, board.other, board.assessmentId, done)
    const seconds = (performance.now() - started) / 1000

    const reachedBytes = receivedPresence(board.reader.received)
      .filter((entry) => ids.has(entry.clientId))
      .reduce((bytes, entry) => bytes + JSON.stringify(entry.state).length, 0)
    // Each flooder: two seconds' burst, then the budget a second.
    expect(reachedBytes).toBeLessThanOrEqual(FLOODERS * budget * (seconds + 2))
    expect(board.closes.flat()).not.toContain(CLOSE.rateLimited.code)
    // The latest state of each flooding socket still lands: dropped changes wait, the latest winning.
    expect(board.reader.isClosed()).toBe(false)
  })
})
