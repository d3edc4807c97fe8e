import { shortTextSchema } from '../../shared/board-model.ts'
import { ImportError } from '../../shared/import/import-error.ts'
import { readImportFile } from '../import/read-import-file.ts'
import { importDocument } from '../import/import-document.ts'
import { CliError } from './cli-error.ts'
import { cliPrincipal } from './cli-principal.ts'
import { checkOption, parseOptions, requireOption, type Command } from './command.ts'
import { whileNotServed } from './while-not-served.ts'

const USAGE = 'assay import FILE --board ID [--title T] [--preview]'

const importCommand: Command = {
  summary: 'Import a source document into a board',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      { board: { type: 'string' }, title: { type: 'string' }, preview: { type: 'boolean', default: false } },
      USAGE,
    )
    const boardId = requireOption(values.board, 'board', USAGE)
    const [path] = positionals
    if (!path || positionals.length > 1) throw new CliError(`Give exactly one file to import.\nusage: ${USAGE}`)
    const title = values.title === undefined ? undefined : checkOption(shortTextSchema, values.title, 'title', USAGE)
    try {
      const text = await readImportFile(path)
      const whileServed = `Import through it instead (the board's Import, or POST /api/boards/${boardId}/import), or stop it and run this again.`
      const result = await whileNotServed('nothing was imported.', whileServed, async (services, stillAlone) =>
        importDocument(services, boardId, { document: { text }, title, preview: values.preview === true }, await cliPrincipal(services), stillAlone),
      )
      if (!result) throw new CliError(`No board with id ${boardId}. List boards with: assay board list`)
      const newSources = result.sources.filter((s) => s.id === null).length
      const newClaims = result.claims.filter((c) => c.id === null).length
      const verb = values.preview ? 'would add' : 'added'
      const outcome = result.outcome === 'import' ? `${verb} ${newClaims} claims and ${newSources} new sources` : `nothing new (${result.outcome})`
      process.stdout.write(`“${result.title}”: ${outcome}.\n`)
    } catch (error) {
      if (error instanceof ImportError) throw new CliError(error.message)
      throw error
    }
  },
}
export default importCommand
