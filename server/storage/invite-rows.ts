/** Reading invite rows, shared by the SQLite and PostgreSQL invite stores: text columns become roles. */
import type { Role } from '../../shared/roles.ts'
import type { InviteRecord, InviteWithMaker } from './storage.ts'

type InviteRow = Omit<InviteRecord, 'role'> & { role: string }
/** An invite joined with its maker's account (null when gone) and the maker's membership role on the board (null when none). */
export type InviteWithMakerRow = {
  invite: InviteRow
  maker: { id: string; name: string; isAdmin: boolean; deactivatedAt: string | null } | null
  makerRole: string | null
}

export const inviteRecord = (row: InviteRow): InviteRecord => ({ ...row, role: row.role as Role })

export const inviteWithMaker = ({ invite, maker, makerRole }: InviteWithMakerRow): InviteWithMaker => ({
  ...inviteRecord(invite),
  maker: maker && { ...maker, role: makerRole as Role | null },
})
