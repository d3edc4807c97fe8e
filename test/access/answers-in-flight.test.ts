/**
 * A member asking for answers and never reading them: each lies in the
 * kernel's buffers (Node calls it finished once the kernel has taken it) for
 * as long as its connection stays open, and a reviewer's 200 connections
 * asking for a 3 MB board held 627 MB of the host's TCP memory. Now a
 * person's answers count until they ask again on the connection or close it,
 * past their share they are refused, and an answer the client stops taking is
 * cut off with a reset, which frees what the kernel holds for it.
 */
import { afterEach, expect, it } from 'vitest'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { connectionsDestroyedAfterEach, getRequest, statusCodes, type RawConnection } from '../helpers/raw-http.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const SHARE = 4

const open = connectionsDestroyedAfterEach()
let server: TestServer | undefined

afterEach(async () => {
  await server?.destroy()
  server = undefined
})

type Team = { boardId: string; owner: string; reviewer: string }

/** An owner's board with a reviewer, each with an API token; `judgments` cards of 20,000 characters each. */
async function startTeam(env: Record<string, string>, judgments = 0): Promise<Team> {
  server = await startTestServer({ accounts: true, env: { HTTP_ANSWERS_IN_FLIGHT_PER_PERSON: String(SHARE), ...env } })
  const [owner, reviewer] = [await addAccount(server), await addAccount(server)]
  const team = { owner: (await addToken(server, owner)).token, reviewer: (await addToken(server, reviewer)).token }
  const api = apiClient(server.url, { authorization: `Bearer ${team.owner}` })
  const boardId = await api.createBoard('Read and never taken')
  await addMember(server, boardId, reviewer, 'reviewer')
  const judgment = 'The convoy was seen near the border crossing at dawn. '.repeat(370)
  for (let added = 0; added < judgments; added += 100) {
    const operations = Array.from({ length: 100 }, (_, i) => ({ op: 'add', collection: 'assessments', input: { title: `Card ${added + i}`, judgment } }))
    expect((await api.post(`/api/boards/${boardId}/batch`, { operations })).status).toBe(200)
  }
  return { boardId, ...team }
}

/** Asks for the board on a connection of its own and waits for the answer's first bytes; reads nothing more of it when `unread`. */
async function askForBoard(team: Team, token: string, unread: boolean): Promise<RawConnection> {
  const connection = await open(server!.port)
  connection.send(getRequest(`/api/boards/${team.boardId}`, { authorization: `Bearer ${token}` }))
  await waitFor(() => statusCodes(connection).length > 0, 'the answer to begin')
  if (unread) connection.stopReading()
  return connection
}

it('refuses a person past their share of answers unread, serves everyone else, and counts an answer until its connection asks again or closes', async () => {
  const team = await startTeam({})
  const unread = await Promise.all(Array.from({ length: SHARE }, () => askForBoard(team, team.reviewer, true)))
  expect(unread.map((connection) => statusCodes(connection)[0])).toEqual(Array(SHARE).fill(200))

  const refused = await askForBoard(team, team.reviewer, false)
  await waitFor(() => refused.received().includes('too_many_in_flight'), 'the refusal whole')
  expect(statusCodes(refused)).toEqual([429])
  expect(refused.received()).toMatch(/\r\nretry-after: 5\r\n/i)
  expect((await apiClient(server!.url, { authorization: `Bearer ${team.owner}` }).get(`/api/boards/${team.boardId}`)).status).toBe(200)

  // Closing a connection gives its answer back; asking again on a connection counts its answer once.
  unread[0]!.socket.destroy()
  const again = await waitFor(async () => {
    const connection = await askForBoard(team, team.reviewer, false)
    return statusCodes(connection)[0] === 200 ? connection : null
  }, 'the reviewer to be served again')
  await waitFor(() => again.received().endsWith('}'), 'the answer read whole')
  again.send(getRequest(`/api/boards/${team.boardId}`, { authorization: `Bearer ${team.reviewer}` }))
  await waitFor(() => statusCodes(again).length === 2, 'the answer on the same connection')
  expect(statusCodes(again)).toEqual([200, 200])
})

it('cuts off an answer the client stops taking after the send timeout, and counts it no more', async () => {
  // About 8 MB of board: more than the kernel's buffers take of it while the client reads nothing, so the write itself stalls.
  const team = await startTeam({ HTTP_SEND_TIMEOUT_MS: '1000' }, 400)
  const openBefore = server!.services.connections.state().open
  const stalled = await Promise.all(
    Array.from({ length: SHARE }, async () => {
      const connection = await open(server!.port)
      connection.stopReading()
      connection.send(getRequest(`/api/boards/${team.boardId}`, { authorization: `Bearer ${team.reviewer}` }))
      return connection
    }),
  )
  await waitFor(() => server!.services.connections.state().open === openBefore + SHARE, 'the stalled connections to be open')
  // Never cut off, they would stay open: the deadline is for a hung test, the send timeout is 1 s.
  await waitFor(() => server!.services.connections.state().open === openBefore, 'the server to cut the stalled answers off', 10_000)
  // Reading again, each client finds its answer cut short.
  for (const connection of stalled) connection.socket.resume()
  await Promise.all(stalled.map((connection) => connection.closed))
  for (const connection of stalled) {
    const [head = '', body = ''] = connection.received().split('\r\n\r\n')
    expect(statusCodes(connection)).toEqual([200])
    expect(body.length).toBeLessThan(Number(/content-length: (\d+)/i.exec(head)?.[1]))
  }
  expect(statusCodes(await askForBoard(team, team.reviewer, false))).toEqual([200])
})

it('behind a proxy (TRUST_PROXY), counts an answer only until it is written: the proxy reads it at once', async () => {
  const team = await startTeam({ TRUST_PROXY: '1' })
  const statuses: number[] = []
  // One after another, as each is written: asked all at once, past the share is refused there too.
  for (let asked = 0; asked < SHARE + 2; asked++) statuses.push(statusCodes(await askForBoard(team, team.reviewer, true))[0]!)
  expect(statuses).toEqual(Array(SHARE + 2).fill(200))
})
