import { audit } from '../access/audit.ts'
import { issueApiToken } from '../auth/accounts.ts'
import { accountByEmail, cliPrincipal } from './cli-principal.ts'
import { parseOptions, requireOption, type Command } from './command.ts'
import { withServices } from './with-services.ts'

const USAGE = 'assay token create --email EMAIL --name NAME'

const tokenCreate: Command = {
  summary: 'Create an API token for an account',
  usage: USAGE,
  async run(args) {
    const { values } = parseOptions(args, { email: { type: 'string' }, name: { type: 'string' } }, USAGE)
    const email = requireOption(values.email, 'email', USAGE)
    const name = requireOption(values.name, 'name', USAGE)
    const token = await withServices(async (services) => {
      const account = await accountByEmail(services, email)
      const issued = await issueApiToken(services.storage, account.id, name)
      await audit(services, { actor: await cliPrincipal(services), action: 'token-created', detail: { tokenId: issued.record.id, userId: account.id, name: issued.record.name } })
      return issued.token
    })
    // The token on stdout alone, so a script can capture it; it is shown this once.
    process.stdout.write(`${token}\n`)
  },
}
export default tokenCreate
