/**
 * Memory soak: the server, in a process of its own (bench/soak-server.ts),
 * through 10,000 connect and disconnect cycles of the stock client on one
 * board, then 1,000 boards each created, opened, edited and closed. Its heap
 * and resident size are read after a full collection before, between rounds
 * and after: a leak shows as growth from round to round. `npm run bench -- soak`.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { client, round, type RelayTarget } from './relay.ts'
import type { SoakMeasure, SoakServerMessage } from './soak-server.ts'

const SOAK_SERVER = fileURLToPath(new URL('./soak-server.ts', import.meta.url))
/** tsx as a loader of the server process itself, so that --expose-gc applies to it. */
const TSX_LOADER = import.meta.resolve('tsx')

const CONNECT_CYCLES = 10_000
const BOARDS = 1_000
const ROUNDS = 5
/** Clients connecting at once: enough to keep the server busy without measuring the bench's own client. */
const PARALLEL = 16
/** Heap growth after a full collection, from the warm-up to the end of a phase, that counts as a leak. */
const MARGIN_MIB = 4

type Checkpoint = { after: string; heapUsedMiB: number; rssMiB: number; externalMiB: number; loadedRooms: number }

export type SoakResult = {
  connectCycles: number
  boardsOpenedAndClosed: number
  seconds: number
  /** After a full collection: at the end of the warm-up, after the connect cycles, after the boards. */
  heapUsedMiB: { start: number; afterConnectCycles: number; afterBoards: number }
  rssMiB: { start: number; afterConnectCycles: number; afterBoards: number }
  /** Heap growth from the end of a phase's first round to the end of its last, per cycle: a leak's slope. */
  heapBytesPer: { connectCycle: number; board: number }
  withinMargin: boolean
  checkpoints: Checkpoint[]
}

type SoakServer = { target: RelayTarget; measure(): Promise<SoakMeasure>; stop(): Promise<void> }

async function startSoakServer(dataDir: string): Promise<SoakServer> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', TSX_LOADER, SOAK_SERVER], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '' },
    // The server's log lines go to stderr, so that stdout stays the bench's JSON.
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  child.stdout!.pipe(process.stderr)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const next = () =>
    new Promise<SoakServerMessage>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`soak server exited with ${code}`))
      child.once('exit', onExit)
      child.once('message', (message: SoakServerMessage) => {
        child.off('exit', onExit)
        resolve(message)
      })
    })
  const started = await next()
  if (!('url' in started)) throw new Error('soak server did not say where it listens')
  const { url } = started
  return {
    target: {
      wsUrl: url.replace(/^http/, 'ws') + '/ws',
      async newBoard() {
        const response = await fetch(`${url}/api/boards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'soak' }) })
        if (response.status !== 201) throw new Error(`soak: board create answered ${response.status}`)
        return ((await response.json()) as { id: string }).id
      },
    },
    async measure() {
      const answer = next()
      child.send('measure')
      const measured = await answer
      if (!('memory' in measured)) throw new Error('soak server answered a measure with something else')
      return measured
    },
    async stop() {
      child.disconnect()
      await exited
    },
  }
}

/** Runs `count` tasks, `PARALLEL` at a time. */
async function inParallel(count: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < count) await task(next++)
    }),
  )
}

/** A person opens the board, is seen by the others, and leaves. */
async function connectCycle(target: RelayTarget, boardId: string, index: number): Promise<void> {
  const visitor = client(target, boardId)
  try {
    visitor.provider.awareness.setLocalStateField('user', { name: `Visitor ${index}`, color: '#336699' })
    await visitor.synced
  } finally {
    visitor.destroy()
  }
}

/** A board is created, opened, changed once and closed; its room commits the change, then unloads. */
async function boardCycle(target: RelayTarget, title: string): Promise<string> {
  const boardId = await target.newBoard()
  const editor = client(target, boardId)
  try {
    await editor.synced
    addAssessment(editor.doc, { title })
  } finally {
    editor.destroy()
  }
  return boardId
}

/** The soak measures real work: a board's edit, made just before its editor left, is stored. */
async function checkStored(target: RelayTarget, boardId: string, title: string): Promise<void> {
  const reopened = client(target, boardId)
  try {
    await reopened.synced
    const titles = boardToModel(reopened.doc, boardId).assessments.map((card) => card.title)
    if (titles.join() !== title) throw new Error(`soak: board ${boardId} holds ${JSON.stringify(titles)}, not "${title}"`)
  } finally {
    reopened.destroy()
  }
}

export async function benchSoak(): Promise<SoakResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'assay-soak-'))
  const server = await startSoakServer(dataDir)
  const checkpoints: Checkpoint[] = []
  /** Memory after a full collection, once the rooms still closing (saving, then unloading) are down to `rooms`. */
  const checkpoint = async (after: string, rooms: number) => {
    const deadline = Date.now() + 60_000
    let measured = await server.measure()
    while (measured.loadedRooms > rooms) {
      if (Date.now() > deadline) throw new Error(`soak: ${measured.loadedRooms} rooms still loaded after ${after}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
      measured = await server.measure()
    }
    const mib = (bytes: number) => round(bytes / 1024 / 1024, 2)
    const { memory, loadedRooms } = measured
    const figures = { after, heapUsedMiB: mib(memory.heapUsed), rssMiB: mib(memory.rss), externalMiB: mib(memory.external), loadedRooms }
    checkpoints.push(figures)
    return figures
  }
  const started = performance.now()
  const boardId = await server.target.newBoard()
  // Someone stays on the board throughout, so the cycles measure connections rather than the room's load.
  const holder = client(server.target, boardId)
  let holderLeft = false
  const holderLeaves = () => {
    if (!holderLeft) holder.destroy()
    holderLeft = true
  }
  try {
    await holder.synced
    // Warm-up: code paths compiled, pools and caches filled, before the baseline.
    await inParallel(2_000, (i) => connectCycle(server.target, boardId, i))
    await inParallel(100, async (i) => void (await boardCycle(server.target, `Warm-up ${i}`)))
    const start = await checkpoint('warm-up', 1)

    const perRound = CONNECT_CYCLES / ROUNDS
    const connectRounds: Checkpoint[] = []
    for (let r = 0; r < ROUNDS; r++) {
      await inParallel(perRound, (i) => connectCycle(server.target, boardId, r * perRound + i))
      connectRounds.push(await checkpoint(`${(r + 1) * perRound} connect cycles`, 1))
    }
    holderLeaves()

    const boardsPerRound = BOARDS / ROUNDS
    const boardRounds: Checkpoint[] = []
    let lastBoard = { boardId: '', title: '' }
    for (let r = 0; r < ROUNDS; r++) {
      await inParallel(boardsPerRound, async (i) => {
        const title = `Board ${r * boardsPerRound + i}`
        lastBoard = { boardId: await boardCycle(server.target, title), title }
      })
      boardRounds.push(await checkpoint(`${(r + 1) * boardsPerRound} boards opened and closed`, 0))
    }

    await checkStored(server.target, lastBoard.boardId, lastBoard.title)

    const afterConnect = connectRounds.at(-1)!
    const afterBoards = boardRounds.at(-1)!
    const slope = (rounds: Checkpoint[], cyclesPerRound: number) =>
      Math.round(((rounds.at(-1)!.heapUsedMiB - rounds[0]!.heapUsedMiB) * 1024 * 1024) / (cyclesPerRound * (ROUNDS - 1)))
    return {
      connectCycles: CONNECT_CYCLES,
      boardsOpenedAndClosed: BOARDS,
      seconds: round((performance.now() - started) / 1000, 1),
      heapUsedMiB: { start: start.heapUsedMiB, afterConnectCycles: afterConnect.heapUsedMiB, afterBoards: afterBoards.heapUsedMiB },
      rssMiB: { start: start.rssMiB, afterConnectCycles: afterConnect.rssMiB, afterBoards: afterBoards.rssMiB },
      heapBytesPer: { connectCycle: slope(connectRounds, perRound), board: slope(boardRounds, boardsPerRound) },
      withinMargin: Math.max(afterConnect.heapUsedMiB, afterBoards.heapUsedMiB) - start.heapUsedMiB < MARGIN_MIB,
      checkpoints,
    }
  } finally {
    holderLeaves()
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchSoak(), null, 2))
}
