import type { Principal } from '../access/access.ts'
import { normalizeEmail } from '../auth/accounts.ts'
import type { Services } from '../services.ts'
import type { UserRecord } from '../storage/storage.ts'
import { CliError } from './cli-error.ts'

/**
 * Who the command line acts as. Someone at the server's terminal can already
 * read its database, so by default the CLI acts as the operator, with the
 * admin's rights and no account. With `accountEmail` it acts as that account
 * (e.g. so that the board it creates is owned by that person).
 */
export async function cliPrincipal(services: Services, accountEmail?: string): Promise<Principal> {
  if (accountEmail === undefined) return { userId: null, tokenId: null, name: 'assay-cli', isAdmin: true, via: 'open' }
  const user = await accountByEmail(services, accountEmail)
  return { userId: user.id, tokenId: null, name: user.name, isAdmin: user.isAdmin, via: 'open' }
}

export async function accountByEmail(services: Services, email: string): Promise<UserRecord> {
  const user = await services.storage.users.getByEmail(normalizeEmail(email))
  if (!user) throw new CliError(`No account has the email ${email}. Add it with: assay user add --email ${email} --name "…"`)
  return user
}
