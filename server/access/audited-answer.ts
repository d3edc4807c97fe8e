/**
 * The audit entry of an answer sent only while its person still holds the
 * right to it (an export, a read of a board's history): written once that
 * right is decided again, after the work, so that it says what happened. A
 * member removed while their read was being made was refused it, yet the log
 * said they had viewed the board as of that moment.
 */

/** What an answer is audited as: sent, or refused because its person lost the right meanwhile (`right-lost`). */
export type AnswerAudit = { sent: () => Promise<void>; refused: () => Promise<void> }

/**
 * Decides the right again (`stillAllowed`) and writes the answer's entry: as
 * sent when it holds, as refused when it throws, its error then thrown in
 * place of the answer.
 */
export async function auditedAnswer(stillAllowed: () => Promise<void>, entry: AnswerAudit): Promise<void> {
  try {
    await stillAllowed()
  } catch (error) {
    await entry.refused()
    throw error
  }
  await entry.sent()
}
