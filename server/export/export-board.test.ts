import { afterEach, describe, expect, it, vi } from 'vitest'
import { boardModelSchema } from '../../shared/board-model.ts'
import { EXPORT_FORMATS, exportBoard, exportFileName, isExportFormat } from './export-board.ts'
import { fixtureBoards, fixtureSnapshot } from '../../test/helpers/fixture-board.ts'

const { previous, board } = fixtureBoards()
const version = fixtureSnapshot(previous)

afterEach(() => vi.useRealTimers())

describe('exportBoard', () => {
  it.each(EXPORT_FORMATS)('exports %s with its content type, extension and file name', async (format) => {
    const file = await exportBoard(format, board, version)
    expect(file.contentType).toBeTruthy()
    expect(file.fileName).toBe(`wagner-s-mutiny-and-nato-s-eastern-flank-281530Z-NOV-26.${file.extension}`)
    expect(file.body.length).toBeGreaterThan(300)
  })

  it('exports the board model itself as JSON', async () => {
    const file = await exportBoard('json', board, version)
    expect(boardModelSchema.parse(JSON.parse(String(file.body)))).toEqual(board)
  })

  it('gives the same bytes for a snapshot every time, in every format', async () => {
    const first = await Promise.all(EXPORT_FORMATS.map((format) => exportBoard(format, board, version)))
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2031-07-04T12:00:00Z'))
    const second = await Promise.all(EXPORT_FORMATS.map((format) => exportBoard(format, board, version)))
    first.forEach((file, i) => {
      const again = second[i]!.body
      if (typeof file.body === 'string') expect(again).toBe(file.body)
      else expect(Buffer.from(file.body).equals(Buffer.from(again as Uint8Array)), EXPORT_FORMATS[i]).toBe(true)
    })
  })

  it('exports an empty live board in every format', async () => {
    const empty = { ...board, title: '', marking: '', question: '', sources: [], documents: [], claims: [], assessments: [], links: [] }
    const live = { kind: 'live', at: '2026-11-28T15:30:00.000Z', hash: 'sha256:0' } as const
    for (const format of EXPORT_FORMATS) {
      const file = await exportBoard(format, empty, live)
      expect(file.body.length, format).toBeGreaterThan(0)
      expect(file.fileName).toBe(`board-281530Z-NOV-26.${file.extension}`)
    }
  })

  it('tells formats from other words', () => {
    expect(isExportFormat('docx')).toBe(true)
    expect(isExportFormat('exe')).toBe(false)
  })
})

describe('exportFileName', () => {
  it('makes a safe ASCII name from any title', () => {
    expect(exportFileName('Café «Пригожин» / ../../etc', '281530Z NOV 26', 'pdf')).toBe('cafe-etc-281530Z-NOV-26.pdf')
    expect(exportFileName('Отчёт', '281530Z NOV 26', 'md')).toBe('board-281530Z-NOV-26.md')
    expect(exportFileName('x'.repeat(300), '281530Z NOV 26', 'stix.json')).toMatch(/^x{80}-281530Z-NOV-26\.stix\.json$/)
  })
})
