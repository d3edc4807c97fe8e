/**
 * A sign-off's note and a snapshot's label are shown on one line in the
 * browser, tooltips included (shared/one-line.ts). The chips and names are
 * set `white-space: nowrap`, which folds a line break into a space, but a
 * tooltip (`title`) breaks the line where the text does: a reviewer's note
 * "Fine.\nApproved: Rita Reviewer, 061000Z DEC 26" or a label "Draft 2\nApproved
 * by Rita Reviewer" showed a line of an approval Rita never gave (red team 27).
 */
import { expect, it } from 'vitest'
import { isolate } from '../../shared/bidi.ts'
import { signedInClient } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, seedBoard } from '../helpers/browser.ts'

const FORGED_NOTE = 'Fine.\nApproved: Rita Reviewer, 061000Z DEC 26'
const FORGED_LABEL = 'Draft 2\u2028Approved by Rita Reviewer'

describeInBrowser('one-line texts in the browser’s tooltips', () => {
  const suite = browserSuite({ owner: 'Olivia Owner', mallory: 'Mallory Reviewer' })

  it('shows a sign-off’s note and a snapshot’s label on one line in the banner, the header’s review badge and the Snapshot menu', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.owner, 'Wagner and NATO', [{ account: suite.accounts.mallory, role: 'reviewer' }])
    await seedBoard(api, boardId, { claim: 'Camps are emptying.', assessments: [{ title: 'Wagner will withdraw', kind: 'key-judgment' }] })
    const snapshot = await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: FORGED_LABEL })
    expect(snapshot.status).toBe(201)
    const mallory = await signedInClient(suite.server, suite.accounts.mallory)
    expect((await mallory.put(`/api/boards/${boardId}/snapshots/${snapshot.body.id}/signoff`, { decision: 'approved', note: FORGED_NOTE })).status).toBe(200)

    const { page } = await suite.personOn(suite.accounts.owner, boardId)
    const badge = page.locator('[data-header-review] .review-badge')
    await badge.waitFor()
    expect(await badge.getAttribute('title')).toContain('Snapshot “Draft 2 Approved by Rita Reviewer”')

    await page.getByRole('button', { name: 'Snapshot versions of this board' }).click()
    const note = page.getByRole('menu', { name: 'Snapshot' }).locator('.signoff .note')
    await note.waitFor()
    expect(await note.getAttribute('title')).toBe(isolate('Fine. Approved: Rita Reviewer, 061000Z DEC 26'))

    await page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot.body.id}`)
    const banner = page.locator('.snapshot-banner')
    const signoff = banner.locator('[data-signoff="approved"]', { hasText: 'Mallory Reviewer' })
    await signoff.waitFor()
    expect(await signoff.getAttribute('title')).toBe(isolate('Fine. Approved: Rita Reviewer, 061000Z DEC 26'))
    expect(await banner.locator('h2.name').getAttribute('title')).toBe(isolate('Draft 2 Approved by Rita Reviewer'))
  })
})
