/** The account routes of the server (README, "Access control"), as the people and account pages call them. */
import { api } from '../app/api.ts'

/** An account as the admin sees it (GET /api/users). */
export type Account = { id: string; email: string; name: string; isAdmin: boolean; createdAt: string; deactivatedAt: string | null }

/** An API token as its owner sees it: never the token itself, which is shown once when made. */
export type ApiToken = { id: string; name: string; createdAt: string; lastUsedAt: string | null }

const user = (userId: string) => `/api/users/${encodeURIComponent(userId)}`

export const peopleApi = {
  list: () => api<Account[]>('GET', '/api/users'),
  add: (input: { email: string; name: string; password: string; isAdmin: boolean }) => api<Account>('POST', '/api/users', input),
  resetPassword: (userId: string, password: string) => api<null>('POST', `${user(userId)}/password`, { password }),
  change: (userId: string, patch: { isAdmin?: boolean; deactivated?: boolean }) => api<Account>('PATCH', user(userId), patch),
}

export const accountApi = {
  changePassword: (currentPassword: string, newPassword: string) => api<null>('POST', '/api/me/password', { currentPassword, newPassword }),
  tokens: () => api<ApiToken[]>('GET', '/api/tokens'),
  createToken: (name: string) => api<ApiToken & { token: string }>('POST', '/api/tokens', { name }),
  revokeToken: (tokenId: string) => api<null>('DELETE', `/api/tokens/${encodeURIComponent(tokenId)}`),
}

/** The server refuses shorter new passwords (server/auth/passwords.ts); the forms say so before sending. */
export const PASSWORD_MIN_LENGTH = 12
