/**
 * The documented nginx configuration (deploy/nginx.conf) bounds what one
 * address may ask of the instances: a flood of API calls, and one of websocket
 * upgrades, from the same address are spaced out and, past their bursts,
 * refused by nginx with 429, so the instance never sees them. A member
 * reopening sockets as fast as the network allowed kept an instance's event
 * loop busy 94% of the time, and refusing them in the instance cost nearly as
 * much as serving them.
 */
import { rmSync } from 'node:fs'
import { it, type TestContext } from 'vitest'
import { upgradeStatus } from '../helpers/accounts.ts'
import { startChildServer } from '../helpers/child-server.ts'
import { startNginx } from '../helpers/nginx.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { tempDir } from '../helpers/test-server.ts'

const missing = await missingServices('nginx')

/** More than each zone's burst (400 API calls, 60 upgrades), all sent at once. */
const API_FLOOD = 700
const UPGRADE_FLOOD = 200

describeUnless(missing)('one address flooding an instance through nginx', () => {
  /**
   * An instance behind nginx of the test's own, stopped when that test ends: the two floods run side by side (each
   * nginx counts in zones of its own), as each spends most of its time in the delays nginx gives what is past the delay.
   */
  async function balancedInstance({ onTestFinished }: TestContext) {
    const dataDir = tempDir()
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }))
    const instance = await startChildServer(dataDir)
    onTestFinished(() => instance.kill())
    const balancer = await startNginx([Number(new URL(instance.url).port)])
    onTestFinished(() => balancer.stop())
    return balancer
  }

  const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((counts, status) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {})

  it.concurrent('gets API calls past the burst refused by nginx with 429; those within it reach the instance', async (context) => {
    const { expect } = context
    const balancer = await balancedInstance(context)
    const statuses = await Promise.all(Array.from({ length: API_FLOOD }, async () => (await fetch(`${balancer.url}/api/boards`)).status))
    const counts = tally(statuses)
    // Each that reached the instance is its list of boards (none); nothing else answers.
    expect(Object.keys(counts).sort()).toEqual(['200', '429'])
    expect(counts[200]).toBeGreaterThanOrEqual(400)
    expect(counts[429]).toBeGreaterThanOrEqual(API_FLOOD - 400 - 100)
  })

  it.concurrent('gets websocket upgrades past the burst refused by nginx with 429', async (context) => {
    const { expect } = context
    const balancer = await balancedInstance(context)
    const statuses = await Promise.all(Array.from({ length: UPGRADE_FLOOD }, () => upgradeStatus(`${balancer.wsUrl}/no-such-board`)))
    const counts = tally(statuses)
    // Each that reached the instance is refused there for its board; nothing else answers.
    expect(Object.keys(counts).sort()).toEqual(['404', '429'])
    expect(counts[404]).toBeGreaterThanOrEqual(60)
    expect(counts[429]).toBeGreaterThanOrEqual(UPGRADE_FLOOD - 60 - 50)
  })
})
