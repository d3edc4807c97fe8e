import { EXPORT_SCOPES, isExportScope } from '../../shared/export-scope.ts'
import { EXPORT_FORMATS, isExportFormat } from '../export/export-board.ts'
import { exportVersion } from '../export/export-version.ts'
import { CliError } from './cli-error.ts'
import { cliPrincipal } from './cli-principal.ts'
import { parseOptions, requireOption, type Command } from './command.ts'
import { withServices } from './with-services.ts'
import { writeOutFile } from './write-out-file.ts'

const USAGE = `assay export --board ID --format ${EXPORT_FORMATS.join('|')} [--snapshot S] [--scope ${EXPORT_SCOPES.join('|')}] --out FILE`

const exportCommand: Command = {
  summary: 'Export a board or a snapshot',
  usage: USAGE,
  async run(args) {
    const { values } = parseOptions(
      args,
      { board: { type: 'string' }, format: { type: 'string' }, snapshot: { type: 'string' }, out: { type: 'string' }, as: { type: 'string' }, scope: { type: 'string' } },
      USAGE,
    )
    const boardId = requireOption(values.board, 'board', USAGE)
    const format = requireOption(values.format, 'format', USAGE)
    const out = requireOption(values.out, 'out', USAGE)
    if (!isExportFormat(format)) throw new CliError(`Unknown format "${format}": use one of ${EXPORT_FORMATS.join(', ')}.`)
    const scope = values.scope ?? 'all'
    if (!isExportScope(scope)) throw new CliError(`Unknown scope "${scope}": use one of ${EXPORT_SCOPES.join(', ')}.`)
    const file = await withServices(async (services) =>
      exportVersion(services, { boardId, format, snapshotId: values.snapshot, scope }, await cliPrincipal(services, values.as)),
    )
    if (!file) throw new CliError(values.snapshot ? `Board ${boardId} has no snapshot ${values.snapshot}.` : `No board with id ${boardId}.`)
    await writeOutFile(out, file.body)
    process.stdout.write(`Wrote ${out} (${file.contentType.split(';')[0]}; suggested name ${file.fileName}).\n`)
  },
}
export default exportCommand
