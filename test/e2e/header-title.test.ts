/**
 * The board's title stays readable at 1,024 px: the header's actions wrap
 * under it rather than leave it one letter ("W" of "Wagner mutiny — Vilnius",
 * 15 of 198 px, red team 37c). A title too long for the header is shown whole
 * on keyboard focus as on hover, where a `title` tooltip reached the mouse
 * alone, and a screen reader reads the heading's whole text; in a phone's or
 * a tablet's window that panel stays inside the window (it ran past its right
 * edge at 390 and 768 px, red team 39c).
 */
import { expect, it } from 'vitest'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, openBoard, waitInPage } from '../helpers/browser.ts'
import { NARROW, horizontalOverflow, outsideTheWindow, unreachableAmong } from '../helpers/layout.ts'
import { clientsDestroyedAfterEach } from '../helpers/yjs-client.ts'

const TITLE = 'Wagner mutiny — Vilnius'
const LONG_TITLE =
  'Wagner mutiny — Vilnius: what the relocation of the Wagner force to Belarus means for Lithuania, the Suwałki gap and NATO’s eastern flank over the next six months, and which indicators would show it changing'

describeInBrowser('the board title in a 1,024 px window', () => {
  const suite = browserSuite()
  const connect = clientsDestroyedAfterEach()

  it('shows the whole short title, takes no tab stop for it, and nothing scrolls sideways', async () => {
    const owner = await addAccount(suite.server, { name: 'Ana Petrova title' })
    const { boardId, api } = await createBoardFor(suite.server, owner, TITLE)
    await api.patch(`/api/boards/${boardId}`, { question: 'How will the Wagner force in Belarus affect Lithuania over the next six months?' })
    const person = await suite.person(owner)
    const { page } = person
    await page.setViewportSize({ width: 1024, height: 768 })
    await openBoard(person, suite.server, boardId)
    const title = page.locator('header h1.board-title')
    await title.waitFor()
    const measured = await title.evaluate((e) => ({ shown: e.getBoundingClientRect().width, needed: e.scrollWidth, text: e.textContent }))
    expect(measured.needed).toBeGreaterThan(100)
    expect(measured.shown).toBeGreaterThanOrEqual(measured.needed - 1)
    expect(measured.text).toBe(TITLE)
    // Nothing is hidden, so nothing more to show: no tab stop, no panel on hover.
    expect(await title.getAttribute('tabindex')).toBeNull()
    await title.hover()
    expect(await page.locator('[data-full-title]').count()).toBe(0)
    const question = await page.locator('header .question').evaluate((e) => e.getBoundingClientRect().width)
    expect(question).toBeGreaterThan(200)
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
  })

  it('shows a title too long for the header whole on keyboard focus and on hover, Escape hiding it, and names the heading with all of it', async () => {
    const owner = await addAccount(suite.server, { name: 'Ana Petrova long title' })
    const { boardId } = await createBoardFor(suite.server, owner, LONG_TITLE)
    const person = await suite.person(owner)
    const { page } = person
    await page.setViewportSize({ width: 1024, height: 768 })
    await openBoard(person, suite.server, boardId)
    const title = page.locator('header h1.board-title')
    await waitInPage(page, () => document.querySelector('header h1.board-title')?.getAttribute('tabindex'), (tabindex) => tabindex === '0', 'the cut title to take a tab stop')
    const cut = await title.evaluate((e) => ({ shown: e.clientWidth, needed: e.scrollWidth }))
    expect(cut.needed).toBeGreaterThan(cut.shown)
    // A screen reader reads the heading's own text: the whole title, not what fits.
    expect(await page.getByRole('heading', { level: 1, name: LONG_TITLE, exact: true }).count()).toBe(1)

    // By keyboard alone: from the start of the page, Tab reaches the title.
    await page.locator('body').focus()
    const focusedTitle = () => document.activeElement?.matches('header h1.board-title') ?? false
    for (let presses = 0; presses < 5 && !(await page.evaluate(focusedTitle)); presses++) await page.keyboard.press('Tab')
    expect(await page.evaluate(focusedTitle)).toBe(true)
    const full = page.locator('[data-full-title]')
    await full.waitFor()
    expect(await full.textContent()).toBe(LONG_TITLE)
    const box = await full.evaluate((e) => {
      const r = e.getBoundingClientRect()
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, hidden: e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1 }
    })
    expect(box.left).toBeGreaterThanOrEqual(0)
    expect(box.right).toBeLessThanOrEqual(1024)
    expect(box.bottom).toBeLessThanOrEqual(768)
    expect(box.hidden).toBe(false)

    // Escape hides it and leaves the focus where it was; it shows again the next time the title takes the focus.
    await page.keyboard.press('Escape')
    await full.waitFor({ state: 'detached' })
    expect(await page.evaluate(focusedTitle)).toBe(true)
    await page.keyboard.press('Shift+Tab')
    await page.keyboard.press('Tab')
    await full.waitFor()

    // The mouse gets the same, and may move onto the panel to read it.
    await page.keyboard.press('Shift+Tab')
    await full.waitFor({ state: 'detached' })
    await title.hover()
    await full.waitFor()
    await full.hover()
    expect(await full.isVisible()).toBe(true)
    // Escape hides it with the focus elsewhere too; it shows again once the pointer has left and come back.
    await page.keyboard.press('Escape')
    await full.waitFor({ state: 'detached' })
    await page.mouse.move(900, 600)
    await title.hover()
    await full.waitFor()
    await page.mouse.move(900, 600)
    await full.waitFor({ state: 'detached' })
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
  })

  it('keeps the title, every avatar and every control in the window with four other people present', async () => {
    const owner = await addAccount(suite.server, { name: 'Ana Petrova crowd' })
    const { boardId, api } = await createBoardFor(suite.server, owner, TITLE)
    await api.patch(`/api/boards/${boardId}`, { question: 'How will the Wagner force in Belarus affect Lithuania over the next six months?' })
    for (const name of ['Bo Lindqvist', 'Chiara Esposito-Hartmann', 'Dmitri Volkov', 'Eun-ji Park']) {
      const account = await addAccount(suite.server, { name })
      await addMember(suite.server, boardId, account, 'editor')
      const client = connect(suite.server.wsUrl, boardId, { token: (await addToken(suite.server, account)).token })
      await client.synced()
      client.provider.awareness.setLocalState({ focus: null })
    }
    const person = await suite.person(owner)
    const { page } = person
    await page.setViewportSize({ width: 1024, height: 768 })
    await openBoard(person, suite.server, boardId)
    const avatars = page.locator('ul[aria-label="On this board now"]')
    await waitInPage(page, () => document.querySelectorAll('ul[aria-label="On this board now"] [data-peer]').length, (shown) => shown === 4, 'four avatars')

    const title = await page.locator('header h1.board-title').evaluate((e) => ({ shown: e.clientWidth, needed: e.scrollWidth }))
    expect(title.shown).toBeGreaterThanOrEqual(title.needed)
    // No avatar scrolled out of sight within the list, no control outside the window or under another.
    expect(await avatars.evaluate((list) => list.scrollWidth - list.clientWidth)).toBeLessThanOrEqual(0)
    expect(await unreachableAmong(page.locator('header').locator('button, a, [data-more-people]'))).toEqual([])
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
  })

  for (const viewport of NARROW) {
    for (const [kind, title] of [
      ['words', LONG_TITLE],
      ['one unbroken run', `Ref:${'WAGNER-BELARUS-VILNIUS-'.repeat(12)}end`],
    ] as const) {
      it(`at ${viewport.width} px keeps the whole title of ${kind} inside the window`, async () => {
        const owner = await addAccount(suite.server, { name: `Ana Petrova ${kind} ${viewport.width}` })
        const { boardId } = await createBoardFor(suite.server, owner, title)
        const person = await suite.person(owner, { viewport })
        const { page } = person
        await openBoard(person, suite.server, boardId)
        await waitInPage(page, () => document.querySelector('header h1.board-title')?.getAttribute('tabindex'), (tabindex) => tabindex === '0', 'the cut title to take a tab stop')
        await page.locator('header h1.board-title').focus()
        const full = page.locator('[data-full-title]')
        await full.waitFor()
        expect(await full.textContent()).toBe(title)
        expect(await outsideTheWindow(full)).toEqual([])
        expect(await full.evaluate((e) => e.scrollWidth > e.clientWidth + 1)).toBe(false)
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
      })
    }
  }
})
