/**
 * A client that resets its connection while its body is on the way: reading
 * the body then fails with Node's ECONNRESET, the same code as a database
 * connection reset. That is the client's doing, not the database's: it is
 * not answered as storage trouble, and it does not set the server probing the
 * database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AccountReads } from '../helpers/account-reads.ts'
import { addAccount, signIn } from '../helpers/accounts.ts'
import { openConnection } from '../helpers/raw-http.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

type LogLine = { msg: string; path?: string }

describe('a client resetting its connection mid-body', () => {
  const reads = new AccountReads()
  const logLines: LogLine[] = []
  let server: TestServer
  let pings = 0

  beforeAll(async () => {
    server = await startTestServer({
      accounts: true,
      logSink: (line) => logLines.push(JSON.parse(line) as LogLine),
      wrapStorage: (storage) => {
        reads.wrap(storage)
        const ping = storage.ping.bind(storage)
        storage.ping = () => {
          pings++
          return ping()
        }
        return storage
      },
    })
  })
  afterAll(async () => {
    await server.destroy()
  })

  it('is not taken for the database going away', async () => {
    const person = await addAccount(server)
    const cookie = await signIn(server, person)
    const connection = await openConnection(server.port)
    const readsBefore = reads.of(person.id)
    connection.send(
      `POST /api/boards HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nCookie: ${cookie}\r\nOrigin: ${server.url}\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"tit`,
    )
    // Authenticated: the server has the headers and waits for the rest of the body.
    await waitFor(() => reads.of(person.id) > readsBefore, 'the request to be authenticated')
    const pingsBefore = pings
    connection.socket.resetAndDestroy()
    const outcome = await waitFor(() => logLines.find((line) => line.path === '/api/boards'), 'the server to settle the reset request')
    expect(outcome.msg).toBe('the client closed its connection before its request was read')
    expect(logLines.filter((line) => line.msg.startsWith('storage unavailable'))).toEqual([])
    expect(pings).toBe(pingsBefore)
    expect(server.services.storageHealth.unavailableSince).toBeNull()
  })
})
