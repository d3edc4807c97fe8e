/**
 * /healthz from a separate process while the compiled relay (dist/server,
 * `npm run build:server` first) does, on the relay's thread, work a member's
 * board or frame sizes: (b) a cold load of a large board, (a) the write of
 * its checkpoint by a compaction, (c) a dense frame's apply (150,000
 * characters typed backwards, 1.3 MB, accepted). An editor types on another
 * board throughout (a change every 20 ms); the probe asks /healthz every 10 ms
 * after its last answer. Prints, per phase, the probe's p99 and max and the typist's round
 * trips' max, and how many of the probe's requests failed. `npx tsx bench/relay-stalls.ts [--assessments N]` (default
 * 4,000: a board of some 15 MB).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { blufText, metaMap } from '../shared/board-doc.ts'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { serverOrigin } from '../shared/change-origin.ts'
import { updateMessage } from '../server/relay/messages.ts'
import { openAccess } from '../test/helpers/open-access.ts'
import { BENCH_LIMITS } from './bench-limits.ts'
import { largeBoard } from './export.ts'
import { client, OPERATOR } from './relay.ts'

const { values } = parseArgs({ options: { assessments: { type: 'string', default: '4000' } } })
const assessments = Number(values.assessments)
const dist = '../dist/server/server'
const { startServer } = (await import(`${dist}/server.js`)) as typeof import('../server/server.ts')
const { loadConfig } = (await import(`${dist}/config.js`)) as typeof import('../server/config.ts')
const { createLogger } = (await import(`${dist}/log.js`)) as typeof import('../server/log.ts')
const { createBoard } = (await import(`${dist}/boards/create-board.js`)) as typeof import('../server/boards/create-board.ts')

// A /healthz that fails (refused, reset) is counted and asked again: one rejection ended the probe, and the wait for its samples never did.
const PROBE = `
const url = process.argv[1]; const out = []; let failed = 0
process.on('message', () => { process.send({ out, failed }); process.exit(0) })
;(async () => { for (;;) { const t0 = Date.now(), s = performance.now(); await fetch(url).then((r) => r.arrayBuffer()).then(() => out.push([t0, performance.now() - s]), () => failed++); await new Promise((r) => setTimeout(r, 10)) } })()
`
/** How long one of the typist's changes may take to reach the other client: past it the relay lost it (or its socket), and the bench fails rather than wait for ever. */
const TRIP_DEADLINE_MS = 120_000
const dataDir = mkdtempSync(join(tmpdir(), 'assay-relay-stalls-'))
const server = await startServer(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ROOM_IDLE_MS: '0', ...BENCH_LIMITS, LOADED_BYTES_PER_MINUTE: String(2 ** 40) }), {
  access: () => openAccess(),
  logger: createLogger('silent'),
})
const probe = spawn(process.execPath, ['-e', PROBE, `${server.url}/healthz`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
try {
  const { rooms, compaction } = server.services
  const target = { wsUrl: server.url.replace(/^http/, 'ws') + '/ws', newBoard: () => createBoard(server.services, { title: 'bench' }, OPERATOR) }
  const [typed, large, dense] = await Promise.all([target.newBoard(), target.newBoard(), target.newBoard()])
  await rooms.withRoom(large, (room) => room.change((doc) => replaceBoardContent(doc, { ...largeBoard(assessments, assessments * 5), id: large, title: 'large' }, serverOrigin('bench'))))
  const writer = client(target, typed)
  const reader = client(target, typed)
  await Promise.all([writer.synced, reader.synced])
  const trips: [number, number][] = []
  let typing = true
  const typist = (async () => {
    for (let i = 0; typing; i++) {
      const t0 = Date.now()
      const start = performance.now()
      metaMap(writer.doc).set('question', `q${i}`)
      while (metaMap(reader.doc).get('question') !== `q${i}`) {
        if (performance.now() - start > TRIP_DEADLINE_MS) throw new Error(`the typist's change q${i} did not reach the other client within ${TRIP_DEADLINE_MS} ms`)
        await new Promise((resolve) => setImmediate(resolve))
      }
      trips.push([t0, performance.now() - start])
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  // Awaited once the phases are done (its failure thrown there, the server closed by the finally); marked handled meanwhile.
  typist.catch(() => undefined)
  const phases: { name: string; from: number; to: number }[] = []
  const phase = async (name: string, work: () => Promise<unknown>) => {
    const from = Date.now()
    await work()
    phases.push({ name, from, to: Date.now() })
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000))
  await settle()
  await phase('baseline (typing only, 3 s)', () => new Promise((resolve) => setTimeout(resolve, 3_000)))
  while (rooms.loadedRooms.has(large)) await new Promise((resolve) => setTimeout(resolve, 10))
  await settle()
  let storedBytes = 0
  await phase('(b) cold load of the large board', () => rooms.withRoom(large, (room) => (storedBytes = room.storedBytes)))
  await settle()
  // Held loaded, so that only the fold (a worker's) and its write (the relay's) are measured.
  await rooms.withRoom(large, async () => {
    await settle()
    await phase('(a) compaction of the large board (fold in a worker, write here)', () => compaction.compact(large))
  })
  await settle()
  const socket = new WebSocket(`${target.wsUrl}/${dense}`)
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
  const doc = new Y.Doc()
  doc.transact(() => {
    for (let i = 0; i < 150_000; i++) blufText(doc).insert(0, 'x')
  })
  const frame = updateMessage(Y.encodeStateAsUpdate(doc))
  doc.destroy()
  await phase(`(c) dense frame, ${frame.byteLength} bytes`, async () => {
    const room = rooms.loadedRooms.get(dense)!
    socket.send(frame)
    while (blufText(room.doc).length < 150_000 && socket.readyState === WebSocket.OPEN) await new Promise((resolve) => setTimeout(resolve, 5))
  })
  socket.terminate()
  await settle()
  typing = false
  await typist
  writer.destroy()
  reader.destroy()
  const { out: samples, failed } = await new Promise<{ out: [number, number][]; failed: number }>((resolve, reject) => {
    probe.once('message', (message) => resolve(message as { out: [number, number][]; failed: number }))
    probe.once('exit', (code) => reject(new Error(`the /healthz probe exited (${code}) before sending its samples`)))
    probe.send('stop')
  })
  const stats = (all: [number, number][], from: number, to: number) => {
    const within = all.filter(([t0, ms]) => t0 + ms >= from && t0 <= to).map(([, ms]) => ms).sort((a, b) => a - b)
    return { n: within.length, p99: Math.round(within[Math.floor(within.length * 0.99)] ?? 0), max: Math.round(within.at(-1) ?? 0) }
  }
  console.log(JSON.stringify({ storedBytes, healthzFailed: failed }))
  for (const { name, from, to } of phases) console.log(JSON.stringify({ phase: name, ms: to - from, healthz: stats(samples, from, to), typistMaxMs: stats(trips, from, to).max }))
} finally {
  probe.kill()
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
}
