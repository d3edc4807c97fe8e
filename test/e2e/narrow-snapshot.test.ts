/**
 * A snapshot compared with the live board in a phone's and a tablet's window
 * (390 and 768 px wide): the banner's rows wrap, so its name shows and "Sign
 * off…", the comparison and its buttons stay in the window (at 390 px the page
 * was 767 px wide and the name had shrunk to nothing, red team 39c).
 */
import { expect, it } from 'vitest'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { addAccount } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, saveScreenshot, seedBoard } from '../helpers/browser.ts'
import { NARROW, horizontalOverflow, outsideTheWindow, unreachableAmong } from '../helpers/layout.ts'

const LABEL = 'Noon briefing for the NATO liaison cell, Vilnius'

describeInBrowser('a snapshot in a narrow window', () => {
  const suite = browserSuite()

  for (const viewport of NARROW) {
    it(`at ${viewport.width} px: the banner names the snapshot and every control of it is in the window`, async () => {
      const owner = await addAccount(suite.server, { name: `Ana Petrova snapshot ${viewport.width}` })
      const reviewer = await addAccount(suite.server, { name: `Dana Reyes snapshot ${viewport.width}` })
      const { boardId, api } = await createBoardFor(suite.server, owner, 'Snapshot in a narrow window', [{ account: reviewer, role: 'reviewer' }])
      const seeded = await seedBoard(api, boardId, { claim: 'Wagner fighters arrived at the Tsel camp in July.', assessments: [{ title: 'Card A', judgment: 'Wagner will stay put.' }] })
      const snapshot = (await api.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: LABEL })).body
      await api.patch(`/api/boards/${boardId}/assessments/${seeded.assessments[0]}`, { judgment: 'Wagner will move west.' })

      const { page } = await suite.person(reviewer, { viewport })
      await page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot.id}?compare=live`)
      const banner = page.locator(`[data-snapshot-id="${snapshot.id}"]`)
      await banner.getByRole('button', { name: 'Stop comparing' }).waitFor()
      await banner.getByRole('button', { name: 'Hide the list of changes' }).waitFor()
      await saveScreenshot(page, `narrow-snapshot-${viewport.width}`)

      const name = banner.getByRole('heading', { name: `“${LABEL}”` })
      expect(await name.evaluate((heading) => heading.getBoundingClientRect().width)).toBeGreaterThan(100)
      expect(await outsideTheWindow(banner)).toEqual([])
      expect(await unreachableAmong(banner.locator('button, select'))).toEqual([])
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    }, 120_000)
  }
})
