import type { Principal } from '../access/access.ts'
import type { Services } from '../services.ts'

/**
 * Who the command line acts as. Someone at the server's terminal can already
 * read its database, so the CLI acts as the operator; `owner` names the account
 * that should own what it creates, once accounts exist.
 */
export async function cliPrincipal(_services: Services, _ownerEmail?: string): Promise<Principal> {
  return { userId: null, tokenId: null, name: 'assay-cli', isAdmin: true, via: 'open' }
}
