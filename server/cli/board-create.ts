import { shortTextSchema } from '../../shared/board-model.ts'
import { createBoard } from '../boards/create-board.ts'
import { checkOption, parseOptions, requireOption, type Command } from './command.ts'
import { cliPrincipal } from './cli-principal.ts'
import { withServices } from './with-services.ts'

const USAGE = 'assay board create --title TITLE [--owner EMAIL]'

const boardCreate: Command = {
  summary: 'Create a board',
  usage: USAGE,
  async run(args) {
    const { values } = parseOptions(args, { title: { type: 'string' }, owner: { type: 'string' } }, USAGE)
    const title = checkOption(shortTextSchema, requireOption(values.title, 'title', USAGE), 'title', USAGE)
    const id = await withServices(async (services) => createBoard(services, { title }, await cliPrincipal(services, values.owner)))
    process.stdout.write(`${id}\n`)
  },
}
export default boardCreate
