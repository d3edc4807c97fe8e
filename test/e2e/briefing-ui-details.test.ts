/**
 * The small UI mends of fix-brief37, read through the DOM and accessibility
 * tree in Chromium: the export dialog's head is no second banner landmark,
 * the Likelihood × impact tab's headings do not skip a level, the import
 * preview says "1 new claim from 1 source", a snapshot's read-only inspector
 * gives the BLUF hint only when its BLUF is empty, and the search field keeps
 * its full accessible name under the short placeholder "Search".
 */
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { browserSuite, createBoardFor, describeInBrowser, seedBoard } from '../helpers/browser.ts'

const BLUF_HINT = 'Left empty, the briefing lists the key judgments in its place.'

/** The levels of the headings a person sees, in reading order (h1–h6 and role=heading). */
function headingLevels(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('h1, h2, h3, h4, h5, h6, [role="heading"]')]
      .filter((heading) => heading.checkVisibility())
      .map((heading) => Number(heading.getAttribute('aria-level') ?? heading.tagName.slice(1))),
  )
}

describeInBrowser('small UI details of the board', () => {
  const suite = browserSuite({ analyst: 'Ana Petrova uitests37' })

  /** A board with one card on the grid and one not placed (no impact), so both of the matrix tab's sections show. */
  async function board(title: string) {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.analyst, title)
    await seedBoard(api, boardId, {
      claim: 'Wagner fighters arrived in Belarus.',
      assessments: [
        { title: 'Incursion into Lithuania', kind: 'key-judgment', likelihood: 3, confidence: 'moderate', impact: 'major' },
        { title: 'Provocations at the border', likelihood: 5 },
      ],
    })
    return { boardId, api }
  }

  it('one banner landmark with the export dialog open; the matrix tab’s headings in order; the search field’s name', async () => {
    const { boardId } = await board('Wagner — landmarks')
    const { page } = await suite.personOn(suite.accounts.analyst, boardId)

    const search = page.getByRole('searchbox', { name: 'Search cards and claims', exact: true })
    expect(await search.getAttribute('placeholder')).toBe('Search')

    await page.getByRole('tab', { name: 'Likelihood × impact' }).click()
    await page.getByRole('region', { name: 'Not placed' }).getByRole('heading').waitFor()
    await page.getByRole('region', { name: 'Legend' }).getByRole('heading').waitFor()
    const levels = await headingLevels(page)
    expect(levels[0]).toBe(1)
    // Each heading at most one level below the one before it.
    const skips = levels.flatMap((level, i) => (i > 0 && level > levels[i - 1]! + 1 ? [`h${levels[i - 1]} → h${level}`] : []))
    expect(skips).toEqual([])

    await page.getByRole('button', { name: 'Export the board' }).click()
    await page.getByRole('menu', { name: 'Export' }).getByRole('menuitem', { name: /^Markdown…/ }).click()
    const dialog = page.getByRole('dialog', { name: /^Export “/ })
    await dialog.waitFor()
    // The page's header is the one banner; the dialog's head is none, whether or not the page behind the modal counts.
    expect(await page.getByRole('banner', { includeHidden: true }).count()).toBe(1)
    expect(await dialog.getByRole('banner', { includeHidden: true }).count()).toBe(0)
  })

  it('the import preview counts one claim from one source in the singular', async () => {
    const { boardId } = await board('Wagner — import')
    const { page } = await suite.personOn(suite.accounts.analyst, boardId)
    await page.getByRole('button', { name: 'Import…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Import a source document' })
    await dialog.getByLabel('Or paste the text').fill('Border report\n\nDrones crossed from Belarus overnight. [citation: LRT]')
    const preview = dialog.locator('section.preview')
    await preview.getByRole('heading', { name: 'Border report' }).waitFor()
    expect(await preview.locator('p').textContent()).toBe('1 new claim from 1 source (1 new).')
    expect(await preview.locator('li').allTextContents()).toEqual(['LRT · new — 1 claim'])
  })

  it('a snapshot’s read-only inspector gives the BLUF hint under an empty BLUF only', async () => {
    const { boardId, api } = await board('Wagner — BLUF hint')
    await api.post(`/api/boards/${boardId}/snapshots`, { label: 'No BLUF' })
    await api.patch(`/api/boards/${boardId}`, { bluf: 'An incursion within the month is unlikely.' })
    await api.post(`/api/boards/${boardId}/snapshots`, { label: 'With BLUF' })
    const snapshots = (await api.get<SnapshotSummary[]>(`/api/boards/${boardId}/snapshots`)).body
    const { page } = await suite.person(suite.accounts.analyst)

    /** The board inspector of the snapshot labelled `label`: its BLUF as shown, and whether the hint is there. */
    async function inspectorOf(label: string) {
      const snapshot = snapshots.find((s) => s.label === label)!
      await page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot.id}`)
      await page.locator(`section[data-snapshot-id="${snapshot.id}"]`).waitFor()
      await page.getByRole('button', { name: /^Briefing · / }).click()
      const bluf = page.locator('[data-bluf]')
      await bluf.waitFor()
      return { bluf: await bluf.textContent(), hints: await page.getByText(BLUF_HINT, { exact: true }).count() }
    }

    expect(await inspectorOf('With BLUF')).toEqual({ bluf: 'An incursion within the month is unlikely.', hints: 0 })
    expect(await inspectorOf('No BLUF')).toEqual({ bluf: 'Not written yet.', hints: 1 })
  })

  it('G goes to the grid from the ACH tab; a long claim’s ACH rating control names it cut with “…”', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.analyst, 'Wagner — small mends 38')
    const claim = 'Satellite imagery shows a column of some forty vehicles moving north from the Asipovichy camp towards the border crossing at dawn.'
    const { assessments } = await seedBoard(api, boardId, { claim, assessments: [{ title: 'Incursion into Lithuania', claimLink: 'C' }] })
    const { page } = await suite.personOn(suite.accounts.analyst, boardId)

    await page.locator('body').press('a')
    await page.getByRole('tab', { name: 'ACH', selected: true }).waitFor()
    await page.locator('body').press('g')
    await page.getByRole('tab', { name: 'Likelihood × impact', selected: true }).waitFor()

    await page.locator('body').press('g')
    await page.locator(`[data-card-id="${assessments[0]}"]`).click()
    const rating = page.getByRole('radiogroup', { name: /^ACH rating of / })
    await rating.waitFor()
    expect((await rating.getAttribute('aria-label'))?.replace(/[\u2066-\u2069]/g, '')).toBe(`ACH rating of “${claim.slice(0, 59)}…”`)
  })
})
