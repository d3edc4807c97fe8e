/**
 * An editor's override cannot reattribute a change in the inspector's
 * history. A red team's editor replaced one word of a colleague's judgment
 * with U+202E, the reversed words `UNLIKELY in 2027.”, Editor 0, 10:31 AM`,
 * 80 underscores and U+202C: the line's 60-character cut dropped the U+202C,
 * so the line read "…coup 2027.”, Editor 0, 10:31 AM" and then the real
 * author's name mirrored, a change forged onto the colleague. Here the change
 * arrives through the stock client, and the line is read as Chromium lays it
 * out: the author's name and the time in reading order, after the change.
 */
import { expect, it } from 'vitest'
import { updateAssessment } from '../../shared/board-mutations.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, openBoard, saveScreenshot } from '../helpers/browser.ts'
import { connectClient } from '../helpers/yjs-client.ts'

const filler = (characters: number) => 'The analysis continues here with routine detail. '.repeat(Math.ceil(characters / 50)).slice(0, characters)

describeInBrowser('an override in an edit, in the inspector’s history', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' })

  it('names the real author after the change, in reading order, when the cut drops the override’s end', async () => {
    const mallory = await addAccount(suite.server, { name: 'Mallory Quinn' })
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Coup risk')
    await addMember(suite.server, boardId, mallory, 'editor')
    const judgment = `${filler(400)}We judge a coup UNLIKELY in 2027. ${filler(400)}`
    const card = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Coup risk', judgment })).body.id

    const forged = `\u202E${[...'UNLIKELY in 2027.”, Ana Petrova, 10:31 AM'].reverse().join('')}${'_'.repeat(80)}\u202C`
    const attacker = connectClient(suite.server.wsUrl, boardId, { token: (await addToken(suite.server, mallory)).token })
    try {
      await attacker.synced()
      updateAssessment(attacker.doc, card, { judgment: judgment.replace('UNLIKELY', `${forged}LIKELY`) })

      const ana = await suite.person(suite.accounts.ana)
      await openBoard(ana, suite.server, boardId)
      const { page } = ana
      await page.locator(`#card-${card}`).click()
      const line = page.locator(`[data-history-for="${card}"] li[data-field="judgment"]`).filter({ has: page.locator('.who', { hasText: mallory.name }) })
      await line.waitFor({ timeout: 15_000 })
      await line.scrollIntoViewIfNeeded()
      await saveScreenshot(page, 'history-override')

      // Each character's box as laid out: in an LTR line, reading order runs left to right, line after line.
      const layout = await line.evaluate((li) => {
        const boxes = (element: Element) => {
          const text = element.firstChild!
          const range = document.createRange()
          return [...text.textContent!].map((_, at) => {
            range.setStart(text, at)
            range.setEnd(text, at + 1)
            const box = range.getBoundingClientRect()
            return { left: box.left, right: box.right, top: box.top }
          })
        }
        const what = boxes(li.querySelector('.what')!)
        return { whatEnd: what.at(-1)!, who: boxes(li.querySelector('.who')!), time: boxes(li.querySelector('time')!) }
      })
      const inReadingOrder = (a: { left: number; top: number }, b: { left: number; top: number }) => b.top > a.top + 2 || (Math.abs(b.top - a.top) <= 2 && b.left >= a.left)
      const name = layout.who.filter((box) => box.right > box.left)
      for (let at = 1; at < name.length; at++) expect(inReadingOrder(name[at - 1]!, name[at]!), `the name's character ${at} after the one before`).toBe(true)
      expect(inReadingOrder(layout.whatEnd, layout.who[0]!), 'the author after the change').toBe(true)
      expect(inReadingOrder(layout.who.at(-1)!, layout.time[0]!), 'the time after the author').toBe(true)
    } finally {
      attacker.destroy()
    }
  })
})
