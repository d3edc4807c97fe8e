import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ImportError, type ImportErrorKind } from '../../shared/import/import-error.ts'
import { parseSourceText } from '../../shared/import/parse-source.ts'
import { LIMITS } from '../../shared/limits.ts'
import { readImportFile } from './read-import-file.ts'
import { SAMPLE_ARTICLE_PATH } from '../../test/helpers/sample-article.ts'


let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-import-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function expectImportError(reading: Promise<unknown>, kind: ImportErrorKind, message: RegExp): Promise<void> {
  const error = await reading.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(ImportError)
  expect(error).toMatchObject({ kind, message: expect.stringMatching(message) })
}

describe('readImportFile', () => {
  it('reads the sample article for import', async () => {
    expect(parseSourceText(await readImportFile(SAMPLE_ARTICLE_PATH)).claims).toHaveLength(25)
  })

  it('reads an HTML file as its text', async () => {
    const path = join(dir, 'wire.htm')
    await writeFile(path, '<p onclick="x()">A fell.<script>x()</script> [citation: NATO]</p>')
    expect(await readImportFile(path)).toBe('A fell. [citation: NATO]')
  })

  it('refuses a file over the size limit without reading it', async () => {
    const path = join(dir, 'huge.txt')
    await writeFile(path, '')
    await truncate(path, 64 * LIMITS.maxDocumentBytes)
    await expectImportError(readImportFile(path), 'too-large', /“huge\.txt” is 128 MB; the limit is 2 MB/)
  })

  it('says what is wrong with a path that is no readable file', async () => {
    await expectImportError(readImportFile(join(dir, 'missing.txt')), 'unreadable-file', /missing\.txt”: there is no such file\. Check the path/)
    await expectImportError(readImportFile(dir), 'unreadable-file', /is not a file/)
  })

  it('refuses an unsupported type', async () => {
    const path = join(dir, 'brief.docx')
    await writeFile(path, 'PK')
    await expectImportError(readImportFile(path), 'unsupported-type', /“brief\.docx” is not a file Assay can import/)
  })
})
