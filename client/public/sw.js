/*
 * The service worker: keeps the app shell (index.html and the built assets it
 * names) so that a board kept in this browser (y-indexeddb) opens after a
 * reload with the server out of reach. Plain JavaScript served as-is from the
 * root, so its scope is the whole app and no build step stands between it and
 * the browser.
 *
 * Pages are fetched from the network first, so an online reload always gets
 * the server's current app; only when the network fails does the kept shell
 * answer. Built assets have content hashes in their names, so a kept one is
 * always right. The API and the relay are never answered from here.
 */
const SHELL_CACHE = 'assay-shell-v1'
const SHELL = '/index.html'

/** The built files a page of the app loads, as its HTML names them. */
function assetsNamedIn(html) {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1])
}

/** Keeps the app's page and every asset it names, replacing what was kept. */
async function keepShell(response) {
  const cache = await caches.open(SHELL_CACHE)
  const html = await response.clone().text()
  await cache.addAll(assetsNamedIn(html))
  await cache.put(SHELL, response)
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    fetch('/', { cache: 'no-store' })
      .then((response) => (response.ok ? keepShell(response) : undefined))
      .then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== SHELL_CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  )
})

async function page(request) {
  try {
    const response = await fetch(request)
    const html = response.ok && (response.headers.get('content-type') ?? '').startsWith('text/html')
    // A fresh page may name new assets (a new release): keep them too, without holding the page up.
    if (html) keepShell(response.clone()).catch(() => undefined)
    return response
  } catch (error) {
    const kept = await caches.match(SHELL)
    if (kept) return kept
    throw error
  }
}

async function asset(request) {
  const kept = await caches.match(request)
  if (kept) return kept
  const response = await fetch(request)
  if (response.ok) {
    const cache = await caches.open(SHELL_CACHE)
    await cache.put(request, response.clone())
  }
  return response
}

self.addEventListener('fetch', (event) => {
  const { request } = event
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/ws/')) return
  if (request.mode === 'navigate') event.respondWith(page(request))
  else if (url.pathname.startsWith('/assets/')) event.respondWith(asset(request))
})
