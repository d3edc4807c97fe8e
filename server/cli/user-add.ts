import { z } from 'zod'
import type { AuditEntry } from '../access/audit.ts'
import { createAccount, normalizeEmail } from '../auth/accounts.ts'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords.ts'
import type { UserRecord } from '../storage/storage.ts'
import { CliError } from './cli-error.ts'
import { cliPrincipal } from './cli-principal.ts'
import { parseOptions, requireOption, type Command } from './command.ts'
import { readPassword } from './read-password.ts'
import { withServices } from './with-services.ts'

const USAGE = 'assay user add --email EMAIL --name NAME [--admin]'

const userAdd: Command = {
  summary: 'Add an account',
  usage: USAGE,
  async run(args) {
    const { values } = parseOptions(args, { email: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean' } }, USAGE)
    const email = normalizeEmail(requireOption(values.email, 'email', USAGE))
    const name = requireOption(values.name, 'name', USAGE).trim()
    if (!z.string().email().safeParse(email).success) throw new CliError(`"${email}" is not an email address.\nusage: ${USAGE}`)
    const password = await readPassword(`Password for ${email}: `, { confirm: true })
    if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
      throw new CliError(`The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.`)
    }
    const id = await withServices(async (services) => {
      const actor = await cliPrincipal(services)
      // Stored with its audit entry or not at all.
      const audit = (user: UserRecord): AuditEntry => ({ actor, action: 'user-added', detail: { userId: user.id, email, isAdmin: user.isAdmin } })
      const user = await createAccount(services, { email, name, password, isAdmin: values.admin === true }, { audit })
      if (!user) throw new CliError(`An account with the email ${email} exists already.`)
      return user.id
    })
    process.stdout.write(`${id}\n`)
  },
}
export default userAdd
