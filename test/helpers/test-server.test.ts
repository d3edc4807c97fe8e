/**
 * The test server itself: a start that fails leaves no folder behind. Every
 * start refused a setting (a ConfigError) or a taken port left its
 * `assay-test-` folder in the machine's temporary folder for good.
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { ConfigError } from '../../server/config.ts'
import { startTestServer } from './test-server.ts'

/** The test's own temporary folder (os.tmpdir() reads TMPDIR at each call): other tests' folders are never counted. */
let folder: string
let tmpdirBefore: string | undefined
let taken: Server | undefined

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'assay-test-server-'))
  tmpdirBefore = process.env.TMPDIR
  process.env.TMPDIR = folder
})

afterEach(async () => {
  if (tmpdirBefore === undefined) delete process.env.TMPDIR
  else process.env.TMPDIR = tmpdirBefore
  rmSync(folder, { recursive: true, force: true })
  await new Promise((resolve) => (taken ? taken.close(resolve) : resolve(undefined)))
  taken = undefined
})

/** The files this process holds open under `path`: the SQLite database and its WAL files, while its storage is open. */
function filesOpenUnder(path: string): string[] {
  const descriptors = readdirSync('/proc/self/fd')
  return descriptors.flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`)
      return target.startsWith(path) ? [target] : []
    } catch {
      // Closed since the folder was listed (the listing's own descriptor among them).
      return []
    }
  })
}

it('removes its folder when a setting is refused', async () => {
  await expect(startTestServer({ env: { PORT: 'not a port' } })).rejects.toThrow(ConfigError)
  expect(readdirSync(folder)).toEqual([])
})

it('closes its storage and removes its folder when the server cannot listen', async () => {
  const server = createServer()
  taken = server
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await expect(startTestServer({ env: { PORT: String(port) } })).rejects.toThrow(/PORT/)
  expect(readdirSync(folder)).toEqual([])
  expect(filesOpenUnder(folder)).toEqual([])
})

it('removes its folder when it is destroyed after a start that worked', async () => {
  const server = await startTestServer()
  expect(readdirSync(folder)).toHaveLength(1)
  await server.destroy()
  expect(readdirSync(folder)).toEqual([])
})
