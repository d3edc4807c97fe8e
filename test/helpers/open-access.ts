/**
 * Access for a server that has no accounts: every request is the same local
 * analyst, an editor of every board. Used by tests that exercise the relay
 * alone; `roleFor` lets such a test give a connection another role.
 */
import type { Role } from '../../shared/roles.ts'
import type { Access, CredentialRequest, Principal } from '../../server/access/access.ts'

export function openAccess(roleFor: (request: CredentialRequest) => Role = () => 'editor'): Access {
  const roles = new WeakMap<Principal, Role>()
  return {
    async principal(request) {
      const principal: Principal = { userId: null, tokenId: null, name: 'analyst', isAdmin: false, via: 'open' }
      roles.set(principal, roleFor(request))
      return principal
    },
    async authorize(principal) {
      return roles.get(principal) ?? 'editor'
    },
    async boardRoles(principal) {
      return { everyBoard: roles.get(principal) ?? 'editor' }
    },
  }
}
