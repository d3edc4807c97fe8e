/**
 * History-API routing: the address bar is the state; links inside the app
 * change it without reloading the page.
 */
import { parseRoute, type Route } from './routes.ts'

export class Router {
  #location = $state({ pathname: location.pathname, search: location.search })
  readonly route: Route = $derived(parseRoute(this.#location.pathname, this.#location.search))

  constructor() {
    window.addEventListener('popstate', this.#sync)
    document.addEventListener('click', this.#followLink)
  }

  get path(): string {
    return this.#location.pathname + this.#location.search
  }

  navigate(path: string, { replace = false } = {}): void {
    if (path === this.path) return
    if (replace) history.replaceState(null, '', path)
    else history.pushState(null, '', path)
    this.#sync()
  }

  #sync = () => {
    this.#location = { pathname: location.pathname, search: location.search }
  }

  /** Same-origin links without a modifier key or target stay in the app. */
  #followLink = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    const anchor = (event.target as Element | null)?.closest?.('a')
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return
    const url = new URL(anchor.href, location.href)
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return
    event.preventDefault()
    this.navigate(url.pathname + url.search)
  }
}
