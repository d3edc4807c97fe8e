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
      const actor = await cliPrincipal(services)
      const issued = await issueApiToken(services, account.id, name, { audit: (record) => ({ actor, action: 'token-created', detail: { tokenId: record.id, userId: account.id, name: record.name } }) })
      return issued.token
    })
    // The token on stdout alone, so a script can capture it; it is shown this once.
    process.stdout.write(`${token}\n`)
  },
}
export default tokenCreate
