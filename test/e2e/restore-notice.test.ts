/**
 * A restore replaces the board for everyone: each person on it is told who
 * restored which snapshot and how to undo it, and an owner undoes it from the
 * notice. When the server cannot be reached, the badge says the edits are kept
 * in this browser and how many changes wait.
 */
import { expect, it } from 'vitest'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { addAccount } from '../helpers/accounts.ts'
import {
  boardModel,
  browserSuite,
  closePerson,
  createBoardFor,
  describeInBrowser,
  openBoard,
  openPerson,
  saveScreenshot,
  startBrowserServer,
  type Person,
} from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

const badge = (person: Person) => person.page.locator('[role="status"][data-link]')
const cardTitles = (person: Person) => person.page.locator('[data-card-id] .title').allInnerTexts()

describeInBrowser('a restore, told to everyone', () => {
  const suite = browserSuite({ ana: 'Ana Petrova', bo: 'Bo Lindqvist' })

  it('tells the other editor who restored which snapshot, and the owner undoes it from the notice', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Restore', [{ account: suite.accounts.bo, role: 'editor' }])
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'Kept card' })
    const snapshot = (await api.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'v1 — before the summit' })).body
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'Added after v1' })

    const ana = await suite.person(suite.accounts.ana)
    const bo = await suite.person(suite.accounts.bo)
    await Promise.all([openBoard(ana, suite.server, boardId), openBoard(bo, suite.server, boardId)])
    await waitFor(async () => (await cardTitles(bo)).length === 2, 'Bo to see both cards')

    const restored = await api.post<{ changed: boolean; before: SnapshotSummary }>(`/api/boards/${boardId}/snapshots/${snapshot.id}/restore`)
    expect(restored.body.changed).toBe(true)
    const restorePoint = restored.body.before

    const notice = bo.page.locator('[data-restore-notice]')
    await notice.waitFor()
    const text = await notice.innerText()
    expect(text).toContain('Ana Petrova restored this board to the snapshot “v1 — before the summit”')
    expect(text).toContain(`kept as the snapshot “${restorePoint.label}”: restoring it undoes this`)
    expect(await notice.getAttribute('role')).toBe('alert')
    // An editor is told how to undo it; only an owner has the button.
    expect(await notice.getByRole('button', { name: 'Undo the restore' }).count()).toBe(0)
    await waitFor(async () => (await cardTitles(bo)).join() === 'Kept card', 'Bo to see the restored board')
    await saveScreenshot(bo.page, 'restore-notice')

    const anaNotice = ana.page.locator('[data-restore-notice]')
    await anaNotice.getByRole('button', { name: 'Undo the restore' }).click()
    await waitFor(async () => (await cardTitles(bo)).length === 2, 'Bo to see the restore undone')
    expect((await boardModel(api, boardId)).assessments.map((a) => a.title).sort()).toEqual(['Added after v1', 'Kept card'])
    // The undo is a restore too, told the same way.
    await bo.page.locator('[data-restore-notice]', { hasText: `to the snapshot “${restorePoint.label}”` }).waitFor()
    await bo.page.locator('[data-restore-notice]').getByRole('button', { name: 'Dismiss' }).click()
    await bo.page.locator('[data-restore-notice]').waitFor({ state: 'detached' })
  })

  it('says, while the server cannot be reached, that edits are kept here and how many changes wait', async () => {
    const server = await startBrowserServer()
    let person: Person | undefined
    try {
      const account = await addAccount(server, { name: 'Cai Offline' })
      const { boardId } = await createBoardFor(server, account, 'Unreachable')
      person = await openPerson(suite.browser, server, account)
      await openBoard(person, server, boardId)
      await server.destroy()
      await badge(person).and(person.page.locator('[data-link="reconnecting"]')).waitFor({ timeout: 20_000 })
      expect(await badge(person).innerText()).toContain('Reconnecting')

      await person.page.locator('main[aria-label="Assessments"]').click({ position: { x: 5, y: 5 } })
      await person.page.keyboard.press('n')
      await person.page.keyboard.type('Written while the server is down')
      await person.page.keyboard.press('Enter')
      await person.page.locator('[data-card-id]', { hasText: 'Written while the server is down' }).waitFor()
      await badge(person).getByText('Server unreachable · edits kept here · 1 change waits').waitFor()
      // Then typing into its judgment: each keystroke is a change that waits.
      await person.page.keyboard.type('Draft.')
      let shown = ''
      await waitFor(async () => {
        const count = Number(await badge(person!).getAttribute('data-waiting'))
        shown = await badge(person!).innerText()
        return count > 1 && shown.includes(`Server unreachable · edits kept here · ${count} changes wait`)
      }, 'the badge to say what waits').catch((error: unknown) => {
        throw new Error(`${String(error)}; the badge said "${shown}"`)
      })
      await saveScreenshot(person.page, 'server-unreachable')
    } finally {
      if (person) await closePerson(person)
      await server.destroy()
    }
  })
})
