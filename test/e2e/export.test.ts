/**
 * The export dialog: opened from the header's "Export ▾", it previews the
 * briefing (the HTML export in a frame that runs no script) with the board's
 * title and marking, and downloads the file the server makes, named by the
 * server; on a snapshot's page it exports that snapshot, for reviewers too;
 * over the board as of a past time, that moment, its checks listed, and a
 * refusal (here, the reviewer's rights removed meanwhile) said in the dialog.
 */
import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { browserSuite, createBoardFor, describeInBrowser, saveScreenshot, seedBoard } from '../helpers/browser.ts'

/** Opens "Export ▾" and picks a format: the dialog opens with it chosen. */
async function openExport(page: Page, format: string) {
  await page.getByRole('button', { name: /^Export (the board|this snapshot|the board as it was then)$/ }).click()
  await page.getByRole('menu', { name: 'Export' }).getByRole('menuitem', { name: new RegExp(`^${format}…`) }).click()
  return page.getByRole('dialog', { name: /^Export “/ })
}

describeInBrowser('the export dialog', () => {
  const suite = browserSuite({ analyst: 'Ana Petrova', reviewer: 'Carol Reviewer' })

  async function briefedBoard(title: string) {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.analyst, title, [{ account: suite.accounts.reviewer, role: 'reviewer' }])
    await api.patch(`/api/boards/${boardId}`, { marking: 'TLP:AMBER+STRICT', question: 'Will Wagner forces move against Lithuania?' })
    await seedBoard(api, boardId, {
      claim: 'Wagner fighters arrived in Belarus.',
      assessments: [
        {
          title: 'Incursion into Lithuania',
          judgment: 'An incursion from Belarus within the month is unlikely.',
          kind: 'key-judgment',
          likelihood: 3,
          confidence: 'moderate',
          impact: 'major',
          claimLink: 'I',
        },
      ],
    })
    return { boardId, api }
  }

  it('previews the briefing with its title and marking, and downloads the DOCX the server makes', async () => {
    const { boardId } = await briefedBoard('Wagner — Vilnius briefing')
    const { page } = await suite.personOn(suite.accounts.analyst, boardId)

    const dialog = await openExport(page, 'DOCX')
    await dialog.getByRole('radio', { name: /^DOCX/, checked: true }).waitFor()
    const frame = dialog.locator('iframe[title="Preview of the briefing"]')
    await frame.waitFor()
    // The preview runs no script: the frame is sandboxed with nothing allowed.
    expect(await frame.getAttribute('sandbox')).toBe('')
    const preview = page.frameLocator('iframe[title="Preview of the briefing"]').locator('body')
    await preview.getByText('Wagner — Vilnius briefing').first().waitFor()
    expect(await preview.textContent()).toContain('TLP:AMBER+STRICT')
    expect(await preview.textContent()).toContain('Incursion into Lithuania')

    const exported = page.waitForResponse((response) => response.url().includes(`/api/boards/${boardId}/export?format=docx`))
    const downloading = page.waitForEvent('download')
    await dialog.getByRole('button', { name: 'Download DOCX' }).click()
    const response = await exported
    expect(response.status()).toBe(200)
    expect(response.headers()['content-type']).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
    const disposition = response.headers()['content-disposition'] ?? ''
    const download = await downloading
    expect(download.suggestedFilename()).toMatch(/\.docx$/)
    expect(disposition).toContain(`filename="${download.suggestedFilename()}"`)
    const bytes = await readFile((await download.path())!)
    expect(bytes.subarray(0, 2).toString()).toBe('PK')

    // The dialog says what was saved: the server's file name and its size.
    const saved = dialog.locator('[data-saved-file]')
    await saved.waitFor()
    expect(await saved.getAttribute('data-saved-file')).toBe(download.suggestedFilename())
    expect(await saved.textContent()).toMatch(/kB/)
    await saveScreenshot(page, 'export-dialog')

    // Machine-readable formats have no preview; Esc closes the dialog and the focus goes back to the menu button.
    await dialog.getByRole('radio', { name: /^STIX 2\.1/ }).check()
    await dialog.getByText('There is no preview of this format.').waitFor()
    expect(await dialog.locator('iframe').count()).toBe(0)
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Export the board')
  })

  it('exports a snapshot from its page, for a reviewer too', async () => {
    const { boardId, api } = await briefedBoard('Snapshot export')
    await api.post(`/api/boards/${boardId}/snapshots`, { label: 'Evening brief' })
    const [snapshot] = (await api.get<SnapshotSummary[]>(`/api/boards/${boardId}/snapshots`)).body
    await api.patch(`/api/boards/${boardId}`, { title: 'Renamed after the snapshot' })

    const { page } = await suite.person(suite.accounts.reviewer)
    await page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot!.id}`)
    await page.locator(`section[data-snapshot-id="${snapshot!.id}"]`).waitFor()

    const dialog = await openExport(page, 'PDF')
    expect(await dialog.textContent()).toContain('Evening brief')
    // The preview is of the snapshot, under the title it had then.
    await page.frameLocator('iframe[title="Preview of the briefing"]').getByText('Snapshot export').first().waitFor()
    await dialog.getByRole('radio', { name: /^JSON/ }).check()
    const exported = page.waitForResponse((response) => response.url().includes('format=json'))
    const downloading = page.waitForEvent('download')
    await dialog.getByRole('button', { name: 'Download JSON' }).click()
    const response = await exported
    expect(new URL(response.url()).searchParams.get('snapshot')).toBe(snapshot!.id)
    const model = JSON.parse(await readFile((await (await downloading).path())!, 'utf8')) as { title: string }
    expect(model.title).toBe('Snapshot export')
  })

  it('exports the board as it was at a past time through the dialog, and says there why the server refuses', async () => {
    const { boardId, api } = await briefedBoard('Wagner — as it was')
    const moment = new Date().toISOString()
    await api.patch(`/api/boards/${boardId}`, { title: 'Renamed since' })

    const { page } = await suite.person(suite.accounts.reviewer)
    await page.goto(`${suite.server.url}/boards/${boardId}/history?at=${encodeURIComponent(moment)}`)
    const banner = page.locator('.as-of-banner')
    await banner.waitFor()
    const at = (await banner.getAttribute('data-as-of'))!

    const dialog = await openExport(page, 'PDF')
    expect(await dialog.locator('.version').textContent()).toContain('The board as it was at')
    // The preview and the checks are of that moment, under the title the board had then.
    await page.frameLocator('iframe[title="Preview of the briefing"]').getByText('Wagner — as it was').first().waitFor()
    await dialog.locator('[data-export-checks] .summary').waitFor()
    await dialog.getByRole('radio', { name: /^JSON/ }).check()
    const exported = page.waitForResponse((response) => response.url().includes('format=json'))
    const downloading = page.waitForEvent('download')
    await dialog.getByRole('button', { name: 'Download JSON' }).click()
    const response = await exported
    expect(response.status()).toBe(200)
    expect(new URL(response.url()).searchParams.get('asOf')).toBe(at)
    const model = JSON.parse(await readFile((await (await downloading).path())!, 'utf8')) as { title: string }
    expect(model.title).toBe('Wagner — as it was')
    await dialog.locator('[data-saved-file]').waitFor()

    // The reviewer's rights go; the next download is refused, and the dialog says why rather than the browser failing a download.
    expect((await api.delete(`/api/boards/${boardId}/members/${suite.accounts.reviewer.id}`)).status).toBe(204)
    const downloads: string[] = []
    page.on('download', (download) => downloads.push(download.suggestedFilename()))
    const refused = page.waitForResponse((response) => response.url().includes('format=json'))
    await dialog.getByRole('button', { name: 'Download JSON' }).click()
    const refusal = await refused
    expect(refusal.status()).toBeGreaterThanOrEqual(400)
    const { error } = (await refusal.json()) as { error: { message: string } }
    const failed = dialog.getByText(`The download failed: ${error.message}`)
    await failed.waitFor()
    expect(downloads).toEqual([])
    expect(await dialog.locator('[data-saved-file]').count()).toBe(0)
    await saveScreenshot(page, 'export-as-of-refused')
  })
})
