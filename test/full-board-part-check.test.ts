/**
 * What a full board takes of an update is checked itself (update-intake.ts,
 * takenWhileFull), against the real server and stock clients: the whole
 * frame keeping the text rule says nothing of the part the board applies.
 * A judgment of "a" and 20 combining marks, "x" (another person's item, so
 * deleting it splits nothing), and 20 more marks, on a board whose headroom
 * for splits is spent: one transaction deleting the "x" and 15 marks of the
 * first run keeps a run of 25, but the board could take only the "x"'s
 * deletion, which alone joins a run of 40, past the 30 one character may
 * carry (red team review39: stored, and sent to every page). Its sender's
 * page learns that its deletions wait (SaveTracker), the text still on the
 * board.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { SaveTracker, trackProvider } from '../client/src/board/save-tracker.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment, deleteAssessment } from '../shared/board-mutations.ts'
import { hasLongMarkRun } from '../shared/text-hygiene.ts'
import { FULL_BOARD_SPLIT_HEADROOM } from '../server/relay/full-board-splits.ts'
import { BYTES_PER_LOADED_STRUCT, structsHeld } from '../server/relay/load-cost.ts'
import type { Room } from '../server/relay/room.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { storedBoard } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

const LIMIT = 65_536
/** About 9.8 KB stored a card: the seventh takes the board past 64 KiB. */
const FILLER = 'An eyewitness account from the border crossing. '.repeat(200)
const MARKS = '\u0301'.repeat(20)
const BEFORE = `a${MARKS}x${MARKS}`

const servers: TestServer[] = []
const cleanups: (() => void)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup()
  for (const server of servers.splice(0)) await server.destroy()
})

type Board = { server: TestServer; boardId: string; room: () => Room; ana: TestClient; bo: TestClient; boToken: string; tracker: SaveTracker; card: string; fillers: string[] }

/**
 * Ana's board, Bo an editor of it, the marked judgment made of three items,
 * then filled by Ana's page until it is full. Ana's page reports what the
 * server has saved of it (SaveTracker, as the app's page does).
 */
async function fullBoardWithMarks(): Promise<Board> {
  const server = await startTestServer({ accounts: true, env: { BOARD_MAX_BYTES: String(LIMIT) }, boardFullRecheckMs: 100 })
  servers.push(server)
  const [anaAccount, boAccount] = [await addAccount(server, { name: 'Ana' }), await addAccount(server, { name: 'Bo' })]
  const [anaToken, boToken] = [(await addToken(server, anaAccount)).token, (await addToken(server, boAccount)).token]
  const boardId = await apiClient(server.url, { authorization: `Bearer ${anaToken}` }).createBoard('Marks')
  await addMember(server, boardId, boAccount, 'editor')
  const [ana, bo] = [connectClient(server.wsUrl, boardId, { token: anaToken }), connectClient(server.wsUrl, boardId, { token: boToken })]
  cleanups.push(() => ana.destroy(), () => bo.destroy())
  await Promise.all([ana.synced(), bo.synced()])
  // Attached on a connection of its own, as the app attaches it before the provider connects.
  ana.provider.disconnect()
  const tracker = new SaveTracker(ana.doc)
  cleanups.unshift(trackProvider(tracker, ana.provider, () => {}))
  ana.provider.connect()
  await ana.synced()

  const judgment = async () => (await storedBoard(server, boardId)).assessments.find((card) => card.title === 'Marks')?.judgment
  const card = addAssessment(ana.doc, { title: 'Marks', judgment: `a${MARKS}` })
  await waitFor(() => assessmentText(bo.doc, card, 'judgment').length === 21 || undefined, 'Bo to see the card')
  assessmentText(bo.doc, card, 'judgment').insert(21, 'x')
  await waitFor(() => assessmentText(ana.doc, card, 'judgment').length === 22 || undefined, 'Ana to see the x')
  assessmentText(ana.doc, card, 'judgment').insert(22, MARKS)
  await waitFor(async () => (await judgment()) === BEFORE || undefined, 'the three items to be stored')

  const fillers: string[] = []
  while ((await server.services.storage.log.bytes(boardId)) <= LIMIT) {
    fillers.push(addAssessment(ana.doc, { title: `Filler ${fillers.length}`, judgment: FILLER }))
    await waitFor(async () => (await storedBoard(server, boardId)).assessments.length === fillers.length + 1 || undefined, 'the filler to be stored')
  }
  const room = () => server.services.rooms.loadedRooms.get(boardId)!
  await waitFor(() => room().full, 'the board to be full')
  await waitFor(() => fillers.every((id) => bo.doc.getMap('assessments').has(id)) || undefined, 'Bo’s page to hold every filler')
  return { server, boardId, room, ana, bo, boToken, tracker, card, fillers }
}

/**
 * Ana's page deletes a filler card after its change: taken by a full board
 * (it splits nothing), so once it is stored, the change before it was decided.
 * Then what the room, storage and a page opened afresh hold of the judgment.
 */
async function judgmentAfter({ server, boardId, room, ana, card, fillers, boToken }: Board): Promise<{ inRoom: string; stored: string; fresh: string }> {
  deleteAssessment(ana.doc, fillers[0]!)
  await waitFor(async () => (await storedBoard(server, boardId)).assessments.length === fillers.length || undefined, 'the filler’s deletion to be stored')
  await room().whenSaved()
  const stored = (await storedBoard(server, boardId)).assessments.find((entry) => entry.title === 'Marks')!.judgment
  const fresh = connectClient(server.wsUrl, boardId, { token: boToken })
  cleanups.push(() => fresh.destroy())
  await fresh.synced()
  return { inRoom: assessmentText(room().doc, card, 'judgment').toString(), stored, fresh: assessmentText(fresh.doc, card, 'judgment').toString() }
}

describe('a full board taking part of an update', () => {
  it('refuses the part when its headroom is spent: the "x" and 15 marks of the first run deleted, only the "x" could be taken, and it is not', async () => {
    const board = await fullBoardWithMarks()
    const { room, bo, ana, card, fillers } = board
    const ceiling = Math.floor((LIMIT * (1 + FULL_BOARD_SPLIT_HEADROOM)) / BYTES_PER_LOADED_STRUCT)
    // Bo spends the board's headroom: every other character of a filler deleted, as many splits as it takes.
    const spent = assessmentText(bo.doc, fillers.at(-1)!, 'judgment')
    bo.doc.transact(() => {
      for (let at = 1; at < spent.length; at++) spent.delete(at, 1)
    })
    await waitFor(async () => {
      await room().whenSaved()
      return ceiling - structsHeld(room().doc) < 2 || undefined
    }, 'the headroom to be spent')
    const text = assessmentText(ana.doc, card, 'judgment')
    ana.doc.transact(() => {
      text.delete(21, 1)
      text.delete(1, 15)
    })
    expect(hasLongMarkRun(text.toString())).toBe(false)
    const { inRoom, stored, fresh } = await judgmentAfter(board)
    expect(hasLongMarkRun(inRoom)).toBe(false)
    expect(stored).toBe(BEFORE)
    expect(fresh).toBe(BEFORE)
    expect(assessmentText(bo.doc, card, 'judgment').toString()).toBe(BEFORE)
    // The filler's deletion is saved, the x's and the marks' are not: the page says so (BoardFullBanner), the text still on the board.
    expect(board.tracker.saved).toBe(false)
    expect(board.tracker.deletionsWaiting).toBe(true)
  })
})
