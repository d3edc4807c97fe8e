import type { Command } from './command.ts'
import { withServices } from './with-services.ts'

const boardList: Command = {
  summary: 'List boards',
  usage: 'assay board list',
  async run() {
    const boards = await withServices((services) => services.storage.boards.list())
    if (boards.length === 0) {
      process.stdout.write('No boards yet. Create one with: assay board create --title "…"\n')
      return
    }
    for (const board of boards) process.stdout.write(`${board.id}\t${board.title}\t${board.createdAt}\n`)
  },
}
export default boardList
