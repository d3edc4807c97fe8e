/**
 * Accounts, sessions and API tokens: the operations the HTTP API, the command
 * line and start-up share. Nothing here returns or logs a password or a hash;
 * a new token is returned to the caller once and only its hash is kept.
 */
import { errorMessage } from '../../shared/error-message.ts'
import { cleanText } from '../../shared/text-hygiene.ts'
import type { Logger } from '../log.ts'
import type { Config } from '../config.ts'
import type { ApiTokenRecord, NewAuditRecord, Storage, UserRecord } from '../storage/storage.ts'
import { audited, type AuditEntry } from '../access/audit.ts'
import { hashPassword } from './passwords.ts'
import { API_TOKEN_PREFIX, hashSecret, newSecret } from './secret-token.ts'
import { SESSION_TTL_MS } from './session-cookie.ts'
import { endExpiredSessions, type SessionParts } from './sessions.ts'

/** What a person may know about their own account: `GET /api/me`. */
export type Me = { id: string; email: string; name: string; isAdmin: boolean }

/** What the admin sees of an account. */
export type AccountView = Me & { createdAt: string; deactivatedAt: string | null }

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

export function toMe(user: UserRecord): Me {
  return { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin }
}

export function toAccountView(user: UserRecord): AccountView {
  return { ...toMe(user), createdAt: user.createdAt, deactivatedAt: user.deactivatedAt }
}

export type NewAccount = { email: string; name: string; password: string; isAdmin?: boolean }

/**
 * How an account is added: `onlyIfFirst`, only while there is no account at
 * all (the first-run setup); `beforeWrite` runs once the password is hashed,
 * right before the account is written: the hash waits its turn on a shared
 * thread pool, and the right to add the account may be gone by then; `audit`,
 * with the audit entry this makes of the account, written in its transaction
 * (the setup's entry is its session's).
 */
export type AccountMaking = { beforeWrite?: () => Promise<void> } & ({ onlyIfFirst: true } | { onlyIfFirst?: false; audit?: (user: UserRecord) => AuditEntry })

/** Adds an account, as `making` says; null when its email is taken (or, `onlyIfFirst`, when there is one). */
export async function createAccount(services: AuditServices, input: NewAccount, making: AccountMaking = {}): Promise<UserRecord | null> {
  const { storage } = services
  const user: UserRecord = {
    id: crypto.randomUUID(),
    email: normalizeEmail(input.email),
    // The CLI's names too follow the text rule every HTTP body does: a name is shown on every board.
    name: cleanText(input.name).trim(),
    passwordHash: await hashPassword(input.password),
    isAdmin: input.isAdmin ?? false,
    createdAt: new Date().toISOString(),
    deactivatedAt: null,
  }
  await making.beforeWrite?.()
  if (making.onlyIfFirst) return (await storage.users.createFirst(user)) ? user : null
  const store = (row?: NewAuditRecord) => storage.users.create(user, row)
  const created = making.audit ? await audited(services, making.audit(user), store) : await store()
  return created ? user : null
}

/** On first start with ASSAY_ADMIN_EMAIL and ASSAY_ADMIN_PASSWORD set, creates the admin account. */
export async function ensureAdminAccount(storage: Storage, config: Config, logger: Logger): Promise<void> {
  if (!config.ASSAY_ADMIN_EMAIL || !config.ASSAY_ADMIN_PASSWORD) return
  if ((await storage.users.count()) > 0) return
  const admin = await createAccount(
    { storage, logger },
    { email: config.ASSAY_ADMIN_EMAIL, name: 'Administrator', password: config.ASSAY_ADMIN_PASSWORD, isAdmin: true },
    { onlyIfFirst: true },
  )
  if (admin) logger.info({ email: admin.email }, 'created the admin account from ASSAY_ADMIN_EMAIL')
}

/**
 * Starts a session for the user whose password was checked against
 * `user.passwordHash`; returns the cookie's token, or null when the account's
 * password was reset or changed, or the account deactivated, since it was read:
 * a sign-in under way then must not outlive what ended every other session.
 * `entry` is written with the session, in its transaction.
 */
export async function startSession(parts: SessionParts & AuditServices, user: Pick<UserRecord, 'id' | 'passwordHash'>, entry: AuditEntry): Promise<string | null> {
  const token = newSecret()
  const now = new Date()
  const session = { tokenHash: hashSecret(token), userId: user.id, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + SESSION_TTL_MS).toISOString() }
  if (!(await audited(parts, entry, (row) => parts.storage.sessions.create(session, user.passwordHash, row)))) return null
  // Sweeping here too keeps the table small between the sweeper's rounds. A sweep that fails (a full disk) leaves it
  // to the next round: the session is stored, and the sign-in must not be answered as one that was not.
  await endExpiredSessions(parts, now).catch((error: unknown) => parts.logger?.warn({ err: errorMessage(error) }, 'sweeping expired sessions at a sign-in failed; the sweeper tries again'))
  return token
}

export type IssuedToken = { record: ApiTokenRecord; token: string }

/** Where an audited write goes, and its line in the log. */
type AuditServices = { storage: Storage; logger?: Logger }

/**
 * How a token is made: `inSession`, only while that session (a request signed
 * in with it) has not ended; `audit`, with the audit entry this makes of the
 * token's record, written in the token's own transaction.
 */
export type TokenMaking = { inSession?: string; audit?: (record: ApiTokenRecord) => AuditEntry }

/**
 * Makes an API token for the user, as `made` says; null when the session it
 * was made in has ended: a token asked for with a leaked session must not
 * outlive the reset that ended it.
 */
export async function issueApiToken(services: AuditServices, userId: string, name: string, made?: Omit<TokenMaking, 'inSession'>): Promise<IssuedToken>
export async function issueApiToken(services: AuditServices, userId: string, name: string, made: TokenMaking): Promise<IssuedToken | null>
export async function issueApiToken(services: AuditServices, userId: string, name: string, made: TokenMaking = {}): Promise<IssuedToken | null> {
  const token = newSecret(API_TOKEN_PREFIX)
  const record: ApiTokenRecord = {
    id: crypto.randomUUID(),
    userId,
    name: name.trim(),
    tokenHash: hashSecret(token),
    createdAt: new Date().toISOString(),
    lastUsedAt: null,
    revokedAt: null,
  }
  const store = (row?: NewAuditRecord) => services.storage.tokens.create(record, made.inSession, row)
  const stored = made.audit ? await audited(services, made.audit(record), store) : await store()
  return stored ? { record, token } : null
}
