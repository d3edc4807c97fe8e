/**
 * Anyone connected to the database may notify on the channels the instances
 * listen to: a flood of notifications that are not what a channel reads is
 * dropped with one warning, the rest only counted (and logged at debug),
 * where each was a warning of its own on every instance (red team 35b:
 * 85,000 notifications, 19 MB of log an instance). The count of a flood is
 * told when its report interval ends, so a flood's last count is told too
 * once it stops (it was told only when another came after the interval).
 */
import { expect, it } from 'vitest'
import { COUNTED } from '../server/relay/dropped-notifications.ts'
import { CATCH_UP_CHANNEL } from '../server/relay/pg-catch-up-requests.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { onServerDatabase } from './helpers/server-database.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')
const JUNK = 500
/** pino's level numbers. */
const WARN = 40
/** Short, for a test that waits for a report; a minute in production. */
const REPORT_INTERVAL_MS = 500

describeUnless(missing)('junk notified on the channels the instances listen to', () => {
  const { start } = instancesAfterEach()

  it(`${JUNK} unreadable notifications make one warning`, async () => {
    const logged: { msg: string; level: number; channel?: string }[] = []
    const server = await start({ logSink: (line) => void logged.push(JSON.parse(line) as { msg: string; level: number; channel?: string }) })
    await waitFor(() => logged.some((line) => line.msg.startsWith('listening to the other instances through PostgreSQL')), 'the instance to listen')
    await onServerDatabase(server, [`select pg_notify('${CATCH_UP_CHANNEL}', 'junk ' || n) from generate_series(1, ${JUNK}) as n`])
    const dropped = () => logged.filter((line) => line.msg === 'a notification from another instance dropped' && line.channel === CATCH_UP_CHANNEL)
    await waitFor(() => dropped().length === JUNK, 'every notification to be read and dropped')
    expect(dropped().filter((line) => line.level >= WARN)).toHaveLength(1)
  })

  it('tells the count of a flood once it has stopped, when its report interval ends', async () => {
    const logged: { msg: string; level: number; channel?: string; dropped?: number }[] = []
    const server = await start({ logSink: (line) => void logged.push(JSON.parse(line) as (typeof logged)[number]), env: { DROPPED_NOTIFICATIONS_REPORT_INTERVAL_MS: String(REPORT_INTERVAL_MS) } })
    await waitFor(() => logged.some((line) => line.msg.startsWith('listening to the other instances through PostgreSQL')), 'the instance to listen')
    await onServerDatabase(server, [`select pg_notify('${CATCH_UP_CHANNEL}', 'junk ' || n) from generate_series(1, ${JUNK}) as n`])
    // Each notification is warned of alone or counted in a report: the flood's last count comes though nothing follows it.
    const told = () =>
      logged.filter((line) => line.msg === 'a notification from another instance dropped' && line.level >= WARN).length +
      logged.filter((line) => line.msg === COUNTED).reduce((sum, line) => sum + (line.dropped ?? 0), 0)
    await waitFor(() => told() === JUNK, 'every notification dropped to be warned of or counted')
  })
})
