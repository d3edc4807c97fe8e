import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { historyApi } from '../history/history-api.ts'
import { snapshotApi } from '../snapshots/snapshot-api.ts'
import { ApiProblem } from './api.ts'
import { busyNote } from './busy-retry.ts'

const refusal = (status: number, code: string, retryAfter: string) =>
  new Response(JSON.stringify({ error: { code, message: `Refused as ${code}.` } }), { status, headers: { 'content-type': 'application/json', 'retry-after': retryAfter } })

describe('a read the server refuses as busy', () => {
  const fetch = vi.fn<typeof globalThis.fetch>()
  beforeEach(() => {
    vi.useFakeTimers()
    vi.stubGlobal('fetch', fetch)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
    fetch.mockReset()
  })

  it('is tried again after Retry-After, capped at 30 s, three tries in all, then fails with the server’s message', async () => {
    fetch.mockImplementation(async () => refusal(429, 'history_reads_busy', '120'))
    const heard: (string | null)[] = []
    const read = historyApi.history('b1', { signal: new AbortController().signal, onWait: (note) => heard.push(note) })
    const failed = expect(read).rejects.toThrow(new ApiProblem(429, 'history_reads_busy', 'Refused as history_reads_busy.', 120))
    await vi.advanceTimersByTimeAsync(60_000)
    await failed
    expect(fetch).toHaveBeenCalledTimes(3)
    expect(heard).toEqual([busyNote(30), null, busyNote(30), null])
    expect(busyNote(5)).toBe('The server is busy; trying again in 5 s…')
  })

  it('serves a snapshot’s state once the person’s minute of loading has refilled', async () => {
    fetch.mockResolvedValueOnce(refusal(429, 'loading_too_much', '5')).mockResolvedValueOnce(new Response(new Uint8Array([1, 2, 3])))
    const heard: (string | null)[] = []
    const read = snapshotApi.state('b1', 's1', { signal: new AbortController().signal, onWait: (note) => heard.push(note) })
    await vi.advanceTimersByTimeAsync(5_000)
    expect(await read).toEqual(new Uint8Array([1, 2, 3]))
    expect(heard).toEqual([busyNote(5), null])
  })

  it('is tried again when the worker pool is full (503 busy)', async () => {
    fetch.mockResolvedValueOnce(refusal(503, 'busy', '1')).mockResolvedValueOnce(Response.json({ from: {}, to: {}, empty: true, diff: {} }))
    const read = snapshotApi.diff('b1', 's1', 'live', { signal: new AbortController().signal, onWait: () => {} })
    await vi.advanceTimersByTimeAsync(1_000)
    expect((await read).empty).toBe(true)
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('stops waiting, and asks no more, once a newer read supersedes it', async () => {
    fetch.mockImplementation(async () => refusal(429, 'too_many_history_reads', '5'))
    const superseded = new AbortController()
    const read = historyApi.state('b1', '2026-01-01T00:00:00.000Z', { signal: superseded.signal, onWait: () => superseded.abort(new Error('another moment')) })
    await expect(read).rejects.toThrow('another moment')
    await vi.advanceTimersByTimeAsync(30_000)
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('is not tried again when refused for another reason', async () => {
    fetch.mockImplementation(async () => refusal(429, 'rate_limited', '5'))
    await expect(historyApi.history('b1', { signal: new AbortController().signal, onWait: () => {} })).rejects.toThrow('Refused as rate_limited.')
    expect(fetch).toHaveBeenCalledTimes(1)
  })
})
