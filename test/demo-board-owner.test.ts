/**
 * `ASSAY_ADMIN_EMAIL` creates its account only on a database with none, so on
 * one whose accounts were made otherwise (`/setup`, `assay user add`) it may
 * name nobody. A new install's demo board is then made without an owner
 * account; before, the start failed saying the database refused its first
 * write and to make it writable, though it was (red team 38c).
 */
import { rmSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { serve, until, type Serving } from './helpers/served-process.ts'
import { openTestStorage, tempDir } from './helpers/test-server.ts'

const running: Serving[] = []
const folders: string[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((serving) => serving.kill()))
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

it('serves a new install whose ASSAY_ADMIN_EMAIL names no account, its demo board made without an owner account', async () => {
  const dataDir = tempDir()
  folders.push(dataDir)
  const storage = await openTestStorage('sqlite', dataDir, '')
  try {
    const made = await storage.users.create({
      id: crypto.randomUUID(),
      email: 'someone-else@example.org',
      name: 'Someone Else',
      passwordHash: 'not used here',
      isAdmin: true,
      createdAt: new Date().toISOString(),
      deactivatedAt: null,
    })
    expect(made).toBe(true)
  } finally {
    await storage.close()
  }

  const serving = serve({ DATA_DIR: dataDir, LOG_LEVEL: 'info', ASSAY_ADMIN_EMAIL: 'admin@example.org', ASSAY_ADMIN_PASSWORD: 'a long enough password' })
  running.push(serving)
  // The log is written asynchronously: its lines may follow the line saying the server runs.
  await until(serving, () => serving.stdout().includes('Assay is running at') && serving.stdout().includes('created the demo board'), 'assay serve to make the demo board and listen')
  expect(serving.stdout()).toContain('ASSAY_ADMIN_EMAIL names no account')
})
