import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../http/errors.ts'
import { auditedAnswer, type AnswerAudit } from './audited-answer.ts'

/** The entries an answer's audit was asked to write, and the errors logged. */
function recorded(refusedWrite: () => Promise<void> = async () => undefined) {
  const written: string[] = []
  const logged: string[] = []
  const entry: AnswerAudit = {
    sent: async () => void written.push('sent'),
    refused: async () => {
      written.push('refused')
      await refusedWrite()
    },
  }
  return { entry, written, logged, logger: pino({ level: 'error' }, { write: (line: string) => void logged.push(line) }) }
}

describe('auditedAnswer', () => {
  it('writes the answer as sent while the right holds', async () => {
    const { entry, written, logger } = recorded()
    await auditedAnswer(async () => undefined, entry, logger)
    expect(written).toEqual(['sent'])
  })

  it.each([401, 403, 404] as const)('writes a refusal for a right lost (%i) and throws the refusal', async (status) => {
    const { entry, written, logger } = recorded()
    const lost = new ApiError(status, 'gone', 'The right is gone.')
    await expect(auditedAnswer(async () => Promise.reject(lost), entry, logger)).rejects.toBe(lost)
    expect(written).toEqual(['refused'])
  })

  it('writes nothing when the check itself failed (the database away): it says nothing of the right', async () => {
    const { entry, written, logger } = recorded()
    const away = new Error('connection terminated')
    await expect(auditedAnswer(async () => Promise.reject(away), entry, logger)).rejects.toBe(away)
    expect(written).toEqual([])
  })

  it('still answers the refusal when its entry cannot be written, and logs that', async () => {
    const { entry, logged, logger } = recorded(async () => Promise.reject(new Error('disk full')))
    const lost = new ApiError(404, 'not_found', 'Board not found.')
    await expect(auditedAnswer(async () => Promise.reject(lost), entry, logger)).rejects.toBe(lost)
    expect(logged).toHaveLength(1)
  })
})
