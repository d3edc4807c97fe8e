/**
 * The parts of a test of one client id written to two instances round after
 * round: honest members typing all along, the forged rounds, and the wait for
 * every honest edit stored with both instances on the board as stored.
 */
import * as Y from 'yjs'
import { boardToModel } from '../../shared/board-convert.ts'
import { assessmentText } from '../../shared/board-doc.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { forgedUpdate } from './forged-update.ts'
import { frames, type RawSocket } from './raw-socket.ts'
import { withStoredDoc } from './stored-board.ts'
import type { TestServer } from './test-server.ts'
import { waitFor } from './wait-for.ts'
import type { TestClient } from './yjs-client.ts'

/** When (Date.now()) the client is told to reconnect to the board loaded afresh from now on, and every other close code. */
export function reloadsOf(client: TestClient): { at: number[]; otherCodes: number[] } {
  const at: number[] = []
  const otherCodes: number[] = []
  client.provider.on('connection-close', (event) => {
    if (event?.code === CLOSE.boardReloaded.code) at.push(Date.now())
    else otherCodes.push(event?.code ?? 0)
  })
  return { at, otherCodes }
}

/** Types on each client every 100 ms until `stop`, each keystroke a marker of its own at the start of the assessment's title; `typed` lists them. */
export function honestTyping(clients: readonly TestClient[], assessmentId: string): { typed: string[]; stop: () => void } {
  const typed: string[] = []
  let keystroke = 0
  const typing = setInterval(() => {
    clients.forEach((client, index) => {
      const marker = `<${index}.${keystroke}>`
      assessmentText(client.doc, assessmentId, 'title').insert(0, marker)
      typed.push(marker)
    })
    keystroke++
  }, 100)
  return { typed, stop: () => clearInterval(typing) }
}

export type ForgedRounds = {
  rounds: number
  roundMs: number
  /** Near the fresh client id of each round. */
  idBase: number
  /** The board the forged updates are written on, as a round begins. */
  base: () => Uint8Array
  assessmentId: string
  /** A round's sockets, one an instance. */
  open: () => Promise<RawSocket[]>
  /** What a round's socket inserts at the start of the judgment under the round's id. */
  text: (round: number, socket: number) => string
}

/** Sends the rounds, each a round's sockets' updates under one fresh client id at the same moment; every socket opened. */
export async function forgedRounds({ rounds, roundMs, idBase, base, assessmentId, open, text }: ForgedRounds): Promise<RawSocket[]> {
  const opened: RawSocket[] = []
  for (let round = 0; round < rounds; round++) {
    const roundStarted = Date.now()
    const board = base()
    const clientId = idBase + round * 7919 + Math.floor(Math.random() * 1000)
    const sockets = await Promise.all(await open())
    opened.push(...sockets)
    sockets.forEach((socket, index) => socket.send(frames.update(forgedUpdate(board, clientId, (doc) => assessmentText(doc, assessmentId, 'judgment').insert(0, text(round, index))))))
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, roundMs - (Date.now() - roundStarted))))
  }
  return opened
}

/** The board as the app models it, in JSON, to compare two copies of it. */
export const boardJson = (doc: Y.Doc, boardId: string) => JSON.stringify(boardToModel(doc, boardId))

/** Waits until every marker `typed` is in the stored title, each instance's room is saved and holds the board as stored, and the honest clients are synced on its title; the board as stored, in JSON. */
export async function untilBoardAsStored(servers: readonly TestServer[], boardId: string, honest: readonly TestClient[], assessmentId: string, typed: readonly string[], timeoutMs: number): Promise<string> {
  const stored = async () => withStoredDoc(servers[0]!, boardId, (doc) => ({ json: boardJson(doc, boardId), title: assessmentText(doc, assessmentId, 'title').toString() }))
  await waitFor(
    async () => {
      const { json, title } = await stored()
      const rooms = servers.map((server) => server.services.rooms.loadedRooms.get(boardId))
      return (
        typed.every((marker) => title.includes(marker)) &&
        rooms.every((room) => room !== undefined && room.isSaved && boardJson(room.doc, boardId) === json) &&
        honest.every((client) => client.provider.synced && assessmentText(client.doc, assessmentId, 'title').toString() === title)
      )
    },
    'every honest edit stored, both instances on the board as stored, and the honest clients on its title',
    timeoutMs,
  )
  return (await stored()).json
}
