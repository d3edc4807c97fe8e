/**
 * A source's web address reads and links in the board as every export writes
 * it: as parsed (`new URL(url).href`, shared/web-link.ts), never as typed; an
 * address that is not a web address is text there, as the briefings print it.
 * The source inspector had shown and linked it as typed, so a reader saw one
 * address in the board and another in the briefing and the STIX bundle.
 */
import { expect, it } from 'vitest'
import { createRequire } from 'node:module'
import { addAccount } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser } from '../helpers/browser.ts'

const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string) => { window: { document: Document } } }

describeInBrowser('a source’s web address', () => {
  const suite = browserSuite()

  it('is shown and linked in the source inspector as the exports write it, and a non-web address is no link', async () => {
    const owner = await addAccount(suite.server, { name: 'Olga Owner' })
    const reviewer = await addAccount(suite.server, { name: 'Rita Reviewer' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Linked sources', [{ account: reviewer, role: 'reviewer' }])
    const typed = 'HTTPS://News.Example.ORG?q="><b>x</b> y'
    const parsed = new URL(typed).href
    expect(parsed).toBe('https://news.example.org/?q=%22%3E%3Cb%3Ex%3C/b%3E%20y')
    const web = (await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'Wire', reliability: 'B', url: typed })).body.id
    const script = (await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'Pasted', reliability: 'C', url: 'javascript:alert(1)' })).body.id

    // What the briefing writes of the same source.
    const exported = await api.get<string>(`/api/boards/${boardId}/export?format=html`)
    expect(exported.status).toBe(200)
    const printed = [...new JSDOM(exported.body).window.document.querySelectorAll('.url')].map((element) => element.textContent)
    expect(printed).toEqual([parsed, 'javascript:alert(1)'])

    const { page } = await suite.personOn(reviewer, boardId)
    await page.locator(`#row-source-${web}`).click()
    const link = page.locator(`[data-inspecting="${web}"] dd a`)
    await link.waitFor()
    expect(await link.getAttribute('href')).toBe(parsed)
    expect(await link.textContent()).toBe(parsed)

    await page.locator(`#row-source-${script}`).click()
    const inspector = page.locator(`[data-inspecting="${script}"]`)
    await inspector.waitFor()
    expect(await inspector.locator('a').count()).toBe(0)
    expect(await inspector.locator('dd', { hasText: 'javascript:alert(1)' }).count()).toBe(1)
  })
})
