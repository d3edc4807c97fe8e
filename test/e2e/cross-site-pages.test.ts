/**
 * Another site's pages in a real Chromium, against a real server:
 *
 * - A page on another site (http://localhost:…, the server being
 *   http://127.0.0.1:…) or on another port of the server's host (the same
 *   site) sends a reviewer's browser to an export with a link, a form, an
 *   image or a fetch: SameSite=Lax lets her session cookie go with the first
 *   two, and from the same site with all four. None of them exports: nothing
 *   is spent of her allowance, nothing audited in her name. Her own address
 *   typed in the address bar still downloads the export.
 * - DNS rebinding: a fresh server with no account yet, reached by Chromium
 *   as rebind.test (resolved to 127.0.0.1), through a relay that plays the
 *   attacker's server for the page itself and the server for everything
 *   after, as the name's DNS answer would once changed. The page's own
 *   requests neither set up the admin nor make a token.
 */
import { createServer, type Server } from 'node:http'
import net from 'node:net'
import { chromium, type Page, type Request } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { browserSuite, CHROMIUM_ARGS, createBoardFor, describeInBrowser, startBrowserServer } from '../helpers/browser.ts'
import { CHROMIUM_PATH } from '../helpers/services.ts'
import type { TestServer } from '../helpers/test-server.ts'

/** Serves each path the page the test put there. */
function pagesServer(pages: Map<string, string>): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8')
    response.end(pages.get(request.url ?? '') ?? '')
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port })))
}

/** How long the browser may take to settle one request: a bound, not a measurement. */
const REQUEST_DEADLINE_MS = 15_000

/**
 * What the browser made of its request whose URL holds `mark`, once the
 * server has answered it: the status it saw, or why it saw none.
 */
function outcomeOf(page: Page, mark: string): Promise<number | string> {
  return new Promise((resolve, reject) => {
    const ours = (request: Request) => request.url().includes(`mark=${mark}`)
    const finished = (request: Request) => {
      if (!ours(request)) return
      stop()
      request.response().then((response) => resolve(response?.status() ?? 'no response'), reject)
    }
    const failed = (request: Request) => {
      if (!ours(request)) return
      stop()
      resolve(request.failure()?.errorText ?? 'failed')
    }
    const deadline = setTimeout(() => {
      stop()
      reject(new Error(`the browser did not settle its request ${mark} within ${REQUEST_DEADLINE_MS} ms`))
    }, REQUEST_DEADLINE_MS)
    const stop = () => {
      clearTimeout(deadline)
      page.off('requestfinished', finished)
      page.off('requestfailed', failed)
    }
    page.on('requestfinished', finished)
    page.on('requestfailed', failed)
  })
}

/** Ways a page makes the browser GET `url`: the first two navigate (top level), the others do not. */
const TECHNIQUES: Record<string, (url: URL) => string> = {
  link: (url) => `<script>location.href = ${JSON.stringify(url.href)}</script>`,
  form: (url) =>
    `<form method="GET" action="${url.origin}${url.pathname}">${[...url.searchParams].map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`).join('')}</form><script>document.forms[0].submit()</script>`,
  image: (url) => `<img src="${url.href}">`,
  // Its answer withheld (Cross-Origin-Resource-Policy), the fetch fails in the page, which the attacker does not mind.
  fetch: (url) => `<script>fetch(${JSON.stringify(url.href)}, { mode: 'no-cors', credentials: 'include' }).catch(() => {})</script>`,
}

describeInBrowser('a page of another site', () => {
  const suite = browserSuite({ owner: 'Olga Owner', reviewer: 'Rita Reviewer' })
  const pages = new Map<string, string>()
  let attacker: { server: Server; port: number }

  beforeAll(async () => {
    attacker = await pagesServer(pages)
  })
  afterAll(async () => {
    attacker.server.closeAllConnections()
    await new Promise((resolve) => attacker.server.close(resolve))
  })

  const exportsAudited = async (boardId: string, userId: string) =>
    (await suite.server.services.storage.audit.listForBoard(boardId, { limit: 1000, action: 'export' })).filter((entry) => entry.actorId === userId).length

  it('neither spends a reviewer’s exports nor audits one in her name, and her typed address still downloads', async () => {
    const { reviewer } = suite.accounts
    const { boardId } = await createBoardFor(suite.server, suite.accounts.owner, 'Wagner — Vilnius', [{ account: reviewer, role: 'reviewer' }])
    const { page } = await suite.person(reviewer)
    const exportUrl = (mark: string) => new URL(`${suite.server.url}/api/boards/${boardId}/export?format=md&mark=${mark}`)
    const sites = { 'cross-site': `http://localhost:${attacker.port}`, 'same-site': `http://127.0.0.1:${attacker.port}` }
    const answered: Record<string, number | string> = {}
    for (const [site, origin] of Object.entries(sites)) {
      for (const [technique, pageFor] of Object.entries(TECHNIQUES)) {
        const mark = `${site}-${technique}`
        pages.set(`/${mark}`, pageFor(exportUrl(mark)))
        const outcome = outcomeOf(page, mark)
        // Only until the attacker's page arrives: what it sends the browser to may become a download, which never loads.
        await page.goto(`${origin}/${mark}`, { waitUntil: 'commit' })
        answered[mark] = await outcome
      }
    }
    // No export made in her name (each is audited, and spends one of her hourly exports).
    expect(await exportsAudited(boardId, reviewer.id)).toBe(0)
    // A navigation shows the server's answer: refused as another page's. An image's or a fetch's answer is withheld
    // from another origin's page (Cross-Origin-Resource-Policy), so its mark is the audit log: no export made.
    const withheld = 'net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin'
    expect(answered).toEqual({
      'cross-site-link': 403,
      'cross-site-form': 403,
      'cross-site-image': withheld,
      'cross-site-fetch': withheld,
      'same-site-link': 403,
      'same-site-form': 403,
      'same-site-image': withheld,
      'same-site-fetch': withheld,
    })

    const download = page.waitForEvent('download')
    // Typed in the address bar: a download, which the navigation itself reports as aborted.
    await page.goto(exportUrl('typed').href).catch(() => {})
    expect((await download).suggestedFilename()).toMatch(/\.md$/)
    expect(await exportsAudited(boardId, reviewer.id)).toBe(1)
  })
})

describeInBrowser('DNS rebinding against a fresh server', () => {
  let server: TestServer
  let relay: net.Server
  const sockets = new Set<net.Socket>()

  beforeAll(async () => {
    server = await startBrowserServer()
    const attackerPage = '<!doctype html><title>rebind</title>'
    relay = net.createServer((client) => {
      sockets.add(client)
      client.on('error', () => client.destroy())
      client.once('data', (first) => {
        if (first.toString('latin1').startsWith('GET / ')) {
          client.end(`HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${attackerPage.length}\r\nconnection: close\r\n\r\n${attackerPage}`)
          return
        }
        const upstream = net.connect(server.port, '127.0.0.1', () => {
          upstream.write(first)
          client.pipe(upstream).pipe(client)
        })
        sockets.add(upstream)
        upstream.on('error', () => client.destroy())
      })
    })
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => relay.close(resolve))
    await server.destroy()
  })

  it('neither sets up the admin nor makes a token from the rebound page', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP rebind.test 127.0.0.1'] })
    try {
      const page = await browser.newPage()
      await page.goto(`http://rebind.test:${(relay.address() as net.AddressInfo).port}/`)
      // What the attacker's script does once the name points at the server: its requests are the page's own, same-origin.
      const answers = await page.evaluate(async () => {
        const send = async (path: string, body: unknown) => {
          const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
          return [response.status, ((await response.json()) as { error?: { code: string } }).error?.code ?? null]
        }
        return [await send('/api/auth/setup', { email: 'attacker@evil.test', name: 'Admin', password: 'attacker-password-123' }), await send('/api/tokens', { name: 'persist' })]
      })
      expect(answers).toEqual([
        [403, 'unknown_host'],
        [403, 'unknown_host'],
      ])
      expect(await server.services.storage.users.count()).toBe(0)
    } finally {
      await browser.close()
    }
  })
})
