import { describe, expect, it } from 'vitest'
import type { CheckpointInfo, HistoryPolicy } from '../storage/storage.ts'
import { baseOf, nextCapStep, planRetention } from './retention-plan.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = Date.parse('2026-03-20T12:00:00.000Z')
const policy: HistoryPolicy = { detailMs: 7 * DAY, checkpointEveryMs: HOUR, retentionMs: 30 * DAY, maxBytes: 2 ** 30 }

/** Checkpoints at these ISO times, `throughSeq` 10, 20, 30… in order. */
const checkpoints = (...times: string[]): CheckpointInfo[] => times.map((at, i) => ({ throughSeq: (i + 1) * 10, at, rowsKept: true, bytes: 100 }))
const seqsAt = (list: CheckpointInfo[], ...times: string[]) => list.filter((c) => times.includes(c.at)).map((c) => c.throughSeq)

describe('planRetention', () => {
  it('keeps every row and the latest checkpoint of each interval within the detail window', () => {
    const list = checkpoints('2026-03-19T09:10:00.000Z', '2026-03-19T09:40:00.000Z', '2026-03-19T10:20:00.000Z', '2026-03-20T11:50:00.000Z')
    expect(planRetention(list, policy, NOW, null)).toEqual({ dropCheckpoints: seqsAt(list, '2026-03-19T09:10:00.000Z'), dropRowsThrough: null })
  })

  it('keeps one checkpoint a day before the window, the boundary standing for its day, and drops the rows it covers', () => {
    const list = checkpoints(
      '2026-03-05T08:00:00.000Z',
      '2026-03-05T17:00:00.000Z',
      '2026-03-11T09:00:00.000Z',
      '2026-03-12T09:00:00.000Z',
      '2026-03-12T15:00:00.000Z',
      '2026-03-19T10:00:00.000Z',
    )
    const plan = planRetention(list, policy, NOW, null)
    // The boundary is the newest checkpoint older than the window (12 March, 15:00): the earlier one of that day goes.
    expect(plan.dropRowsThrough).toBe(seqsAt(list, '2026-03-12T15:00:00.000Z')[0])
    expect(plan.dropCheckpoints).toEqual(seqsAt(list, '2026-03-05T08:00:00.000Z', '2026-03-12T09:00:00.000Z'))
  })

  it('drops the daily checkpoints older than the retention period, unless it is for ever', () => {
    const list = checkpoints('2026-01-10T08:00:00.000Z', '2026-02-25T08:00:00.000Z', '2026-03-19T10:00:00.000Z')
    expect(planRetention(list, policy, NOW, null).dropCheckpoints).toEqual(seqsAt(list, '2026-01-10T08:00:00.000Z'))
    expect(planRetention(list, { ...policy, retentionMs: 0 }, NOW, null).dropCheckpoints).toEqual([])
  })

  it('never drops the latest checkpoint, however old', () => {
    const list = checkpoints('2025-01-01T08:00:00.000Z')
    expect(planRetention(list, policy, NOW, null)).toEqual({ dropCheckpoints: [], dropRowsThrough: 10 })
  })
})

describe('the base the oldest rows left build on', () => {
  const list = checkpoints('2026-03-20T11:01:00.000Z', '2026-03-20T11:20:00.000Z', '2026-03-20T11:50:00.000Z')

  it('is the newest checkpoint older than the first row left, none when no row was dropped, the latest when none is left', () => {
    expect(baseOf(list, 11)).toBe(10)
    expect(baseOf(list, 25)).toBe(20)
    expect(baseOf(list, 3)).toBeNull()
    expect(baseOf(list, null)).toBe(30)
  })

  it('is kept when a later checkpoint of its interval would replace it, until the boundary passes it', () => {
    // A cap step dropped the rows through the first checkpoint, within the window; the later ones are of the same hour.
    expect(planRetention(list, policy, NOW, 10)).toEqual({ dropCheckpoints: [20], dropRowsThrough: null })
    expect(planRetention(list, policy, NOW, null).dropCheckpoints).toEqual([10, 20])
    // A day later the window has passed all three: the boundary moves to the latest and the base goes with its rows.
    expect(planRetention(list, policy, NOW + 8 * DAY, 10)).toEqual({ dropCheckpoints: [10, 20], dropRowsThrough: 30 })
  })
})

describe('nextCapStep', () => {
  it('drops the coarse checkpoints oldest first, then moves the boundary, and stops at the latest checkpoint', () => {
    const list = checkpoints('2026-03-01T08:00:00.000Z', '2026-03-02T08:00:00.000Z', '2026-03-18T08:00:00.000Z', '2026-03-19T08:00:00.000Z')
    expect(nextCapStep(list, 30)).toEqual({ dropCheckpoint: list[0] })
    expect(nextCapStep(list.slice(2), 30)).toEqual({ dropRowsThrough: 40 })
    expect(nextCapStep(list.slice(3), 40)).toBeNull()
    expect(nextCapStep(list, null)).toEqual({ dropRowsThrough: 10 })
  })
})
