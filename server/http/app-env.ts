import type { Principal } from '../access/access.ts'
import type { AnswerAudit } from '../access/audited-answer.ts'
import type { Logger } from '../log.ts'
import type { Services } from '../services.ts'
import type { BoardRecord } from '../storage/storage.ts'
import type { Role } from '../../shared/roles.ts'

type AppVariables = {
  services: Services
  logger: Logger
}

/** What every request handler can read from its context, public routes included: no caller is known. */
export type AppEnv = { Variables: AppVariables }

/** Routes behind the authentication middleware: the caller is known. */
export type SignedInEnv = { Variables: AppVariables & { principal: Principal } }

/**
 * Routes of one board (`/api/boards/:id/…`) after `boardRole`: the board exists
 * (its row as read then) and the caller holds a role on it, at least the one
 * the route needs (checked again before a change is applied).
 */
export type BoardEnv = {
  Variables: SignedInEnv['Variables'] & {
    board: { id: string; role: Role; needed: Role; record: BoardRecord }
    /** The audit entry of a long read's answer, behind `boardRoleUntilAnswered` only (board-role.ts, `auditAnswer`). */
    answerAudit?: AnswerAudit
  }
}
