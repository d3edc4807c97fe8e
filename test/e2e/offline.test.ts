/**
 * Offline: a person whose connection drops keeps editing; the edits are kept
 * in the browser (y-indexeddb) and reach the server and the others when the
 * connection returns, even if the page was closed in between. While the
 * server is down the card's history in the inspector raises no error of its
 * own (the connection badge says it), and is read again once it is back.
 */
import { expect, it } from 'vitest'
import {
  browserSuite,
  createBoardFor,
  describeInBrowser,
  editorText,
  openBoard,
  ownerAndEditorOn,
  saveScreenshot,
  seedBoard,
  storedUpdates,
  waitInPage,
  waitSaved,
  type Person,
} from '../helpers/browser.ts'
import { startTcpProxy } from '../helpers/tcp-proxy.ts'
import { waitFor } from '../helpers/wait-for.ts'

const card = (person: Person, title: string) => person.page.locator('[role="option"][data-card-id]', { hasText: title })
const badge = (person: Person) => person.page.locator('[role="status"][data-link]')

async function addCard(person: Person, title: string, judgment: string) {
  await person.page.locator('main[aria-label="Assessments"]').click({ position: { x: 5, y: 5 } })
  await person.page.keyboard.press('n')
  await person.page.keyboard.type(title)
  await person.page.keyboard.press('Enter')
  await card(person, title).waitFor()
  await person.page.keyboard.type(judgment)
  await waitFor(async () => (await editorText(person.page.locator('.cm-content[aria-label="Judgment"]'))) === judgment, `${person.name}'s judgment to be typed`)
}

describeInBrowser('offline editing', () => {
  const suite = browserSuite({ ana: 'Ana Petrova', bo: 'Bo Lindqvist' })

  async function twoOnABoard(title: string) {
    const { owner: ana, editor: bo, ...board } = await ownerAndEditorOn(suite, title, suite.accounts.ana, suite.accounts.bo)
    return { ana, bo, ...board }
  }

  it('keeps editing offline, then both converge when the connection returns', async () => {
    const { ana, bo, model } = await twoOnABoard('Offline')
    await ana.context.setOffline(true)
    await badge(ana).and(ana.page.locator('[data-link="offline"]')).waitFor()

    await addCard(ana, 'Written offline', 'Kept in the browser until the network is back.')
    await addCard(bo, 'Written by Bo meanwhile', 'Bo is online.')
    await waitSaved(bo)
    expect(await badge(ana).getAttribute('data-saved')).toBe('false')
    expect(await card(bo, 'Written offline').count()).toBe(0)
    expect(await card(ana, 'Written by Bo meanwhile').count()).toBe(0)
    await saveScreenshot(ana.page, 'offline-editing')

    // Signing out now would delete the only copy of these edits: the app says so first.
    await ana.page.getByRole('button', { name: 'Sign out' }).click()
    const warning = ana.page.getByRole('dialog', { name: 'Changes not saved yet' })
    await warning.getByRole('button', { name: 'Stay' }).click()
    await warning.waitFor({ state: 'detached' })

    await ana.context.setOffline(false)
    await card(bo, 'Written offline').waitFor()
    await card(ana, 'Written by Bo meanwhile').waitFor()
    await waitSaved(ana)
    await card(bo, 'Written offline').click()
    await waitFor(
      async () => (await editorText(bo.page.locator('.cm-content[aria-label="Judgment"]'))) === 'Kept in the browser until the network is back.',
      'Bo to see the judgment written offline',
    )
    const titles = (await model()).assessments.map((a) => a.title).sort()
    expect(titles).toEqual(['Written by Bo meanwhile', 'Written offline'])
  }, 90_000)

  it('sends edits made offline even after the page was closed, from the copy kept in the browser', async () => {
    const { boardId, ana, bo, model } = await twoOnABoard('Closed while offline')
    const database = `assay:${suite.accounts.ana.id}:${boardId}`
    await ana.context.setOffline(true)
    await badge(ana).and(ana.page.locator('[data-link="offline"]')).waitFor()
    const before = await storedUpdates(ana.page, database)
    await addCard(ana, 'Survives the closed page', 'Written offline, page closed, sent later.')
    await waitFor(async () => (await storedUpdates(ana.page, database)) > before, 'the offline copy to store the edit')
    await ana.page.close()

    await ana.context.setOffline(false)
    const again: Person = { ...ana, page: await ana.context.newPage() }
    await openBoard(again, suite.server, boardId)
    await card(bo, 'Survives the closed page').waitFor()
    await waitSaved(again)
    await waitInPage(again.page, () => document.querySelectorAll('[data-card-id]').length, (n) => n === 1, 'one card after reopening')
    expect((await model()).assessments.map((a) => [a.title, a.judgment])).toEqual([
      ['Survives the closed page', 'Written offline, page closed, sent later.'],
    ])
  }, 90_000)

  it('says nothing of the history in the inspector while the server is down, and reads it again once it is back', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Outage')
    const {
      assessments: [id],
    } = await seedBoard(api, boardId, { claim: 'Convoys were seen near Grodno.', assessments: [{ title: 'Wagner moves north' }] })
    // The page reaches the server through a proxy that can drop it: to the page, as if the server had been killed.
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(suite.server.url).port) })
    try {
      const ana = await suite.person(suite.accounts.ana)
      const { page } = ana
      const history = page.locator(`section[data-history-for="${id}"]`)
      await page.goto(`http://127.0.0.1:${proxy.port}/boards/${boardId}`)
      await badge(ana).and(page.locator('[data-link="connected"]')).waitFor()
      await card(ana, 'Wagner moves north').click()
      await history.locator('li').first().waitFor()

      proxy.cut()
      await badge(ana).and(page.locator('[data-link="reconnecting"]')).waitFor()
      // An edit meanwhile has the card's history read again: the read cannot reach the server.
      const failed = page.waitForEvent('requestfailed', (request) => request.url().includes('/history/changes'))
      await page.locator('.cm-content[aria-label="Title"]').click()
      await page.keyboard.press('End')
      await page.keyboard.type(' and west')
      await failed
      await page.evaluate(() => new Promise((painted) => requestAnimationFrame(painted)))
      expect(await page.getByText('could not be read').count()).toBe(0)
      await history.locator('li').first().waitFor()

      const answered = page.waitForResponse((response) => response.url().includes('/history/changes') && response.ok())
      proxy.restore()
      await waitSaved(ana)
      await answered
      expect(await page.getByText('could not be read').count()).toBe(0)
    } finally {
      await proxy.close()
    }
  }, 90_000)
})
