/**
 * A listen that fails (the database refusing connections) counts as one
 * failure, said in one warning, so that the retries back off by doubling from
 * the first delay. Before, its catch and its connection's close each counted
 * it and each warned: the count went up by two a try (8 ms, 260 ms, 1.3 s,
 * 5.3 s apart rather than 250 ms, 500 ms, 1 s, 2 s). The real listener against
 * a port where nothing listens; the count read from its warnings.
 */
import { createServer, type AddressInfo } from 'node:net'
import { expect, it } from 'vitest'
import { createLogger } from '../server/log.ts'
import { PgListener } from '../server/relay/pg-listener.ts'
import { waitFor } from './helpers/wait-for.ts'

const TRIES = 3

/** A port nothing listens on: bound, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

it(`${TRIES} failed listens are ${TRIES} failures, one warning each`, async () => {
  const warnings: { msg: string; failures?: number }[] = []
  const logger = createLogger('warn', { write: (line: string) => void warnings.push(JSON.parse(line) as { msg: string; failures?: number }) })
  const listener = new PgListener({ url: `postgres://nobody@127.0.0.1:${await closedPort()}/none`, connectTimeoutMs: 1000, logger })
  listener.hear('assay_test_retries', { received: () => {}, listened: () => {} })
  try {
    listener.onAttached()
    const failedListens = () => warnings.filter((line) => line.msg.startsWith('could not listen to the other instances'))
    await waitFor(() => failedListens().length >= TRIES, `${TRIES} listens to fail`)
    expect(failedListens().slice(0, TRIES).map((line) => line.failures)).toEqual([1, 2, 3])
    // Never listened, so no listening connection closed: the close of a failed listen's connection is not a second failure.
    expect(warnings.filter((line) => line.msg.startsWith('the connection listening to the other instances through PostgreSQL closed'))).toEqual([])
  } finally {
    await listener.close()
  }
})
