/**
 * The audit entry of an answer sent only while its person still holds the
 * right to it (an export, a read of a board's history): written once that
 * right is decided again, after the work, so that it says what happened. A
 * member removed while their read was being made was refused it, yet the log
 * said they had viewed the board as of that moment.
 */
import { HTTPException } from 'hono/http-exception'
import type { Logger } from '../log.ts'
import { errorMessage } from '../../shared/error-message.ts'

/** What an answer is audited as: sent, or refused because its person lost the right meanwhile (`right-lost`). */
export type AnswerAudit = { sent: () => Promise<void>; refused: () => Promise<void> }

/** The refusals that mean the right is gone: signed out or deactivated (401), below the role needed (403), removed or the board deleted (404). */
const RIGHT_LOST = new Set([401, 403, 404])

/**
 * Decides the right again (`stillAllowed`) and writes the answer's entry: as
 * sent when it holds, as refused when it is gone, the refusal then thrown in
 * place of the answer. Anything else that fails the check (the database
 * away) is thrown as it is, with no entry: it says nothing of the right. A
 * refusal's entry that cannot be written is logged, and the refusal is still
 * the answer.
 */
export async function auditedAnswer(stillAllowed: () => Promise<void>, entry: AnswerAudit, logger: Pick<Logger, 'error'>): Promise<void> {
  try {
    await stillAllowed()
  } catch (error) {
    if (error instanceof HTTPException && RIGHT_LOST.has(error.status)) {
      await entry.refused().catch((auditError: unknown) => logger.error({ err: errorMessage(auditError) }, 'the audit entry of an answer refused for a right lost could not be written'))
    }
    throw error
  }
  await entry.sent()
}
