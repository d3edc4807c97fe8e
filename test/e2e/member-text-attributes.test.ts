/**
 * Member text in attributes is isolated for the bidirectional algorithm, as
 * it is in element content (`<bdi>`): a card title, a claim, the key question
 * or a person's name holding an unclosed right-to-left override (U+202E)
 * would otherwise reverse the rest of a tooltip or an accessible name ("…, on
 * “card”" read backwards). Each lands between FSI and PDI (shared/bidi.ts).
 */
import { expect, it } from 'vitest'
import { FSI, isolate, PDI, quoted } from '../../shared/bidi.ts'
import { addAccount, addMember } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, openBoard, seedBoard } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

const OVERRIDE = '\u202E'

describeInBrowser('member text in attributes', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' })

  it('isolates a card title, a claim, the key question and a name holding a right-to-left override', async () => {
    const title = `Incursion into Lithuania${OVERRIDE}`
    const claim = `Columns moved north${OVERRIDE} overnight.`
    const question = `Will Wagner move${OVERRIDE} against Lithuania?`
    const bo = await addAccount(suite.server, { name: `Bo${OVERRIDE} Lindqvist` })
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Override in attributes')
    await addMember(suite.server, boardId, bo, 'editor')
    expect((await api.patch(`/api/boards/${boardId}`, { question })).status).toBe(200)
    const {
      claim: claimId,
      assessments: [card],
    } = await seedBoard(api, boardId, { claim, assessments: [{ title }] })

    const ana = await suite.person(suite.accounts.ana)
    const boPerson = await suite.person(bo)
    await Promise.all([openBoard(ana, suite.server, boardId), openBoard(boPerson, suite.server, boardId)])
    const { page } = ana

    expect(await page.locator('.question').getAttribute('title')).toBe(isolate(question))
    expect(await page.locator(`[data-claim-id="${claimId}"] .text`).getAttribute('title')).toBe(isolate(claim))

    // Bo on the card: his avatar's tooltip and name isolate his name and the card's title.
    await boPerson.page.locator(`#card-${card}`).click()
    const avatar = page.locator(`[data-peer="${bo.name}"]`)
    await waitFor(async () => (await avatar.getAttribute('aria-label'))?.includes(quoted(title)), 'Bo’s avatar to name the card he is on')
    for (const attribute of ['title', 'aria-label']) {
      const text = (await avatar.getAttribute(attribute))!
      expect(text.startsWith(`${isolate(bo.name)}, `)).toBe(true)
      expect(text).toContain(quoted(title))
    }

    // A dialog's title is its name: the card's title isolated inside the quotation marks.
    await page.locator(`#card-${card}`).click()
    await page.getByRole('button', { name: 'Link a claim…' }).click()
    const dialog = page.getByRole('dialog', { name: `Link claims to “${FSI}${title}${PDI}”` })
    await dialog.waitFor()
    expect(await dialog.locator('h2').textContent()).toBe(`Link claims to ${quoted(title)}`)
  })
})
