import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { HeldChangeSpool, SpoolRefused, SpoolShareSpent, type HeldChange } from './held-change-spool.ts'

const folders: string[] = []
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

const DEPLOYMENT = '6f1c2b7e-0000-4000-8000-000000000001'

const change: HeldChange = { boardId: 'board', accountId: 'account', route: '/api/boards/:id/assessments', at: '2026-01-01T00:00:00.000Z', entries: [{ origin: 'server:account', update: new Uint8Array([1, 2, 3]) }] }

it('reads back what it kept, and one process at a time holds a folder’s spool: another keeps nothing there until it is let go', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'assay-spool-'))
  folders.push(dataDir)
  const limits = { maxChanges: 10, maxBytes: 65_536, sharePercent: 100 }
  const first = new HeldChangeSpool(dataDir, limits, DEPLOYMENT)
  const second = new HeldChangeSpool(dataDir, limits, DEPLOYMENT)
  const name = await first.keep(change)
  expect((await first.read(name)).change).toEqual(change)
  await expect(second.keep(change)).rejects.toThrow(SpoolRefused)
  await expect(second.leftOver()).rejects.toThrow(/another server process holds the held-changes spool/)
  await first.release()
  expect(await second.leftOver()).toEqual([name])
  await second.release()
})

it('names changes kept in the same millisecond so that they sort as they were kept', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'assay-spool-'))
  folders.push(dataDir)
  const spool = new HeldChangeSpool(dataDir, { maxChanges: 100, maxBytes: 1_000_000, sharePercent: 100 }, DEPLOYMENT)
  // Named as each is called, before any waits: most in one millisecond.
  const names = await Promise.all(Array.from({ length: 40 }, () => spool.keep(change)))
  expect(await spool.leftOver()).toEqual(names)
  await spool.release()
})

it('names the deployment each change was promised on; a file of version 1 (written before files did) names none and is no other deployment’s', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'assay-spool-'))
  folders.push(dataDir)
  const limits = { maxChanges: 10, maxBytes: 65_536, sharePercent: 100 }
  const kept = await new HeldChangeSpool(dataDir, limits, DEPLOYMENT).keep(change)
  const body = JSON.stringify({ version: 1, ...change, entries: change.entries.map(({ origin, update }) => ({ origin, update: Buffer.from(update).toString('base64') })) })
  const older = '000000000000000-000000000001-older.held'
  mkdirSync(join(dataDir, 'held-changes'), { recursive: true })
  writeFileSync(join(dataDir, 'held-changes', older), `${createHash('sha256').update(body).digest('hex')}\n${body}`)

  const same = new HeldChangeSpool(dataDir, limits, DEPLOYMENT)
  const other = new HeldChangeSpool(dataDir, limits, 'another-deployment')
  const keptFile = await same.read(kept)
  expect(keptFile).toMatchObject({ change, deployment: DEPLOYMENT })
  expect(same.otherDeployment(keptFile)).toBeNull()
  expect(other.otherDeployment(keptFile)).toBe(DEPLOYMENT)
  const olderFile = await other.read(older)
  expect(olderFile).toMatchObject({ change, deployment: null })
  expect(other.otherDeployment(olderFile)).toBeNull()
})

it('keeps one person’s files to their share of the bytes, counting files adopted at replay; another person’s still fit, and a removal frees the share', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'assay-spool-'))
  folders.push(dataDir)
  const spool = new HeldChangeSpool(dataDir, { maxChanges: 100, maxBytes: 400_000, sharePercent: 25 }, DEPLOYMENT)
  // Some 55 kB of file each (base64 in JSON): one person's 100 kB share holds one.
  const large = (accountId: string): HeldChange => ({ ...change, accountId, entries: [{ origin: `server:${accountId}`, update: new Uint8Array(40_000) }] })
  spool.adopt('000000000000000-000000000001-left-over.held', 55_000, 'account')
  await expect(spool.keep(large('account'))).rejects.toThrow(SpoolShareSpent)
  const other = await spool.keep(large('other'))
  await expect(spool.keep(large('other'))).rejects.toThrow(/its sender's share of the held-changes spool is spent/)
  await spool.remove(other)
  await spool.keep(large('other'))
  await spool.release()
})

it('asks to be told of its lock’s loss once for as long as it holds it, however many changes it keeps', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'assay-spool-'))
  folders.push(dataDir)
  const spool = new HeldChangeSpool(dataDir, { maxChanges: 10, maxBytes: 65_536, sharePercent: 100 }, DEPLOYMENT)
  try {
    // Each keep and each look for left-over files claims the lock; one handler per claim grew by one per change.
    for (let kept = 0; kept < 300; kept++) await spool.remove(await spool.keep(change))
    await spool.leftOver()
    const lock = await spool['claiming']
    expect(lock?.takenAwayHandlers).toBe(1)
  } finally {
    await spool.release()
  }
})
