/**
 * The last line of defence against two thinnings of one board at once (on
 * several instances, where no lock in the process helps): storage refuses to
 * delete the checkpoint the oldest rows left build on. One thinning has
 * dropped the rows through the first checkpoint; another, which read the rows
 * from the start before, asks to delete that checkpoint with a later one. The
 * later goes, the base stays, and the board as of a moment after it still
 * reads as it was.
 */
import { afterEach, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import type { AsOf } from '../../shared/history-model.ts'
import { apiClient } from '../helpers/api.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { startThinningServer } from '../helpers/thinning-server.ts'

const postgresMissing = await missingServices('postgres')

describeEachDialect(postgresMissing, 'deleting checkpoints on %s', (dialect) => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  it('refuses the base of the rows left, deletes the others, and says which went', async () => {
    const clock = testClock()
    server = await startThinningServer(dialect, clock)
    const api = apiClient(() => server.url)
    const boardId = await api.createBoard('Base')
    const { history } = server.services.storage
    const add = async (title: string) => {
      clock.advance(MINUTE)
      expect((await api.post(`/api/boards/${boardId}/assessments`, { title })).status).toBe(201)
    }
    const compact = async () => {
      clock.advance(MINUTE)
      await server.services.compaction.compact(boardId)
    }
    await add('Alpha')
    await compact()
    await add('Bravo')
    await compact()
    await add('Charlie')
    const [first, second] = await history.checkpoints(boardId)
    clock.advance(MINUTE)
    const afterSecond = clock.iso()
    const live = await api.get<BoardModel>(`/api/boards/${boardId}`)
    await add('Delta')

    const ops = history.thinningOps(boardId)
    // Another thinning's step: the rows through the second checkpoint, which the rows after it now build on.
    expect((await ops.dropRowsThrough(second!.throughSeq))?.count).toBeGreaterThan(0)
    expect(await ops.dropCheckpoints([first!.throughSeq, second!.throughSeq])).toEqual([first!.throughSeq])
    expect((await history.checkpoints(boardId)).map((c) => c.throughSeq)).toContain(second!.throughSeq)
    expect(await ops.dropCheckpoints([second!.throughSeq])).toEqual([])

    const read = await api.get<BoardModel>(`/api/boards/${boardId}?asOf=${encodeURIComponent(afterSecond)}`)
    expect(read.status).toBe(200)
    expect(JSON.parse(read.headers.get('assay-as-of')!) as AsOf).toMatchObject({ asOf: afterSecond, exact: true })
    expect(read.body).toEqual(live.body)
  })
})
