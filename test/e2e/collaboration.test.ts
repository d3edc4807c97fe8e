/**
 * Two people on one board, each in a browser context of their own, against
 * the real server: what one adds the other sees; both type into one judgment
 * at once and keep both texts; each sees where the other is; undo takes back
 * only one's own change.
 */
import { expect, it } from 'vitest'
import { browserSuite, describeInBrowser, editorText, ownerAndEditorOn, saveScreenshot, waitSaved, type Person } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { quoted } from '../../shared/bidi.ts'

const judgment = (person: Person) => person.page.locator('.cm-content[aria-label="Judgment"]')
const judgmentText = (person: Person) => editorText(judgment(person))
const card = (person: Person, title: string) => person.page.locator('[role="option"][data-card-id]', { hasText: title })

describeInBrowser('two people on one board', () => {
  const suite = browserSuite({ ana: 'Ana Petrova', bo: 'Bo Lindqvist' })

  async function twoOnABoard(title: string) {
    const { owner: ana, editor: bo, ...board } = await ownerAndEditorOn(suite, title, suite.accounts.ana, suite.accounts.bo)
    return { ana, bo, ...board }
  }

  /** Adds a card the way a person does: N, its title, Enter. */
  async function addCard(person: Person, title: string) {
    await person.page.keyboard.press('Escape')
    await person.page.locator('main[aria-label="Assessments"]').click({ position: { x: 5, y: 5 } })
    await person.page.keyboard.press('n')
    await person.page.keyboard.type(title)
    await person.page.keyboard.press('Enter')
    await card(person, title).waitFor()
  }

  it('shows what one adds to the other at once', async () => {
    const { ana, bo, model } = await twoOnABoard('Adding')
    await addCard(ana, 'Border incidents will increase')
    await card(bo, 'Border incidents will increase').waitFor()
    await waitSaved(ana)
    expect((await model()).assessments.map((a) => a.title)).toEqual(['Border incidents will increase'])
  })

  it('keeps both people’s text when they type into one judgment at the same moment', async () => {
    const { ana, bo, model } = await twoOnABoard('Typing together')
    await addCard(ana, 'Shared judgment')
    await card(bo, 'Shared judgment').click()
    await judgment(ana).click()
    await judgment(bo).click()
    const anaText = 'Ana types this sentence.'
    const boText = 'Bo types another one.'
    await Promise.all([ana.page.keyboard.type(anaText, { delay: 15 }), bo.page.keyboard.type(boText, { delay: 15 })])
    const texts = await waitFor(
      async () => {
        const [a, b] = [await judgmentText(ana), await judgmentText(bo)]
        return a === b && a.includes(anaText) && a.includes(boText) ? a : null
      },
      'both editors to hold both texts',
    )
    expect(texts.length).toBe(anaText.length + boText.length)
    await Promise.all([waitSaved(ana), waitSaved(bo)])
    expect((await model()).assessments[0]!.judgment).toBe(texts)
  })

  it('shows who is on the board, and the card and field each person is in', async () => {
    const { ana, bo } = await twoOnABoard('Presence')
    await addCard(ana, 'Watched card')
    await ana.page.locator('[data-peer="Bo Lindqvist"]').waitFor()
    await bo.page.locator('[data-peer="Ana Petrova"]').waitFor()

    // Ana is in the judgment of the card (addCard leaves her there): Bo sees her ring on the card and her mark on the field.
    await judgment(ana).click()
    await ana.page.keyboard.type('Ana is here')
    await card(bo, 'Watched card').locator('[data-presence="Ana Petrova"]').waitFor()
    await card(bo, 'Watched card').click()
    await bo.page.locator('[data-field-presence="Ana Petrova"]').first().waitFor()
    await expect.poll(() => bo.page.locator('.cm-content[aria-label="Judgment"] .cm-ySelectionCaret').count()).toBe(1)
    expect(await bo.page.locator('[data-peer="Ana Petrova"]').getAttribute('aria-label')).toContain(`editing the judgment of ${quoted('Watched card')}`)

    // And the other way round, in the title.
    await bo.page.locator('.cm-content[aria-label="Title"]').click()
    await ana.page.locator('[data-field-presence="Bo Lindqvist"]').first().waitFor()
    await saveScreenshot(ana.page, 'board-presence')
  })

  it('undoes only one’s own change, never the other person’s', async () => {
    const { ana, bo, model } = await twoOnABoard('Undo')
    await addCard(ana, 'Undo card')
    await card(bo, 'Undo card').click()
    await judgment(ana).click()
    // One input, so one step to undo: typed key by key, a loaded machine's pauses over half a second would split it in several.
    await ana.page.keyboard.insertText('Ana wrote this.')
    await waitFor(async () => (await judgmentText(bo)).includes('Ana wrote this.'), 'Bo to see Ana’s text')
    await judgment(bo).click()
    await bo.page.keyboard.press('End')
    await bo.page.keyboard.type(' Bo added this.')
    await waitFor(async () => (await judgmentText(ana)).includes('Bo added this.'), 'Ana to see Bo’s text')

    await judgment(ana).click()
    await ana.page.keyboard.press('Control+z')
    for (const person of [ana, bo]) {
      await waitFor(async () => (await judgmentText(person)).trim() === 'Bo added this.', `${person.name} to see only Bo’s text`)
    }
    // Redo brings Ana's text back.
    await ana.page.keyboard.press('Control+Shift+z')
    await waitFor(async () => (await judgmentText(bo)).includes('Ana wrote this.'), 'Bo to see Ana’s text again')
    // Undo outside a field takes back Ana's last change too, and still nothing of Bo's.
    await ana.page.keyboard.press('Escape')
    await ana.page.keyboard.press('Control+z')
    await waitFor(async () => (await judgmentText(bo)).trim() === 'Bo added this.', 'Bo to see only his text again')
    await Promise.all([waitSaved(ana), waitSaved(bo)])
    const board = await model()
    expect(board.assessments.map((a) => [a.title, a.judgment.trim()])).toEqual([['Undo card', 'Bo added this.']])
  })
})
