/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Lax (no
 * cross-site POST carries it), Secure when the server is reached over HTTPS.
 */
import type { Context } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { parse } from 'hono/utils/cookie'
import type { CredentialRequest } from '../access/access.ts'
import type { Config } from '../config.ts'

export const SESSION_COOKIE = 'assay_session'
/** A working week and a weekend: long enough not to nag, short enough that a forgotten browser expires. */
export const SESSION_TTL_MS = 9 * 24 * 60 * 60 * 1000

export function readSessionToken(request: CredentialRequest): string | null {
  const header = request.headers.get('cookie')
  if (!header) return null
  return parse(header, SESSION_COOKIE)[SESSION_COOKIE] ?? null
}

function secure(c: Context, config: Config): boolean {
  return config.PUBLIC_URL?.startsWith('https:') === true || new URL(c.req.url).protocol === 'https:'
}

export function setSessionCookie(c: Context, config: Config, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure(c, config),
    path: '/',
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  })
}

export function clearSessionCookie(c: Context, config: Config): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Lax', secure: secure(c, config), path: '/' })
}
