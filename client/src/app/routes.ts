/** The client's pages, read from and written to the address bar. */
export type Route =
  | { page: 'signin'; next: string }
  | { page: 'setup' }
  | { page: 'boards' }
  | { page: 'board'; boardId: string }
  /** `compare`: what the snapshot is compared with (`live` or another snapshot's id), from `?compare=`. */
  | { page: 'snapshot'; boardId: string; snapshotId: string; compare: string | null }
  /** The board as it was at `at` (ISO time, from `?at=`), from its history. */
  | { page: 'history'; boardId: string; at: string | null }
  | { page: 'invite'; token: string }
  /** The admin's list of people. */
  | { page: 'people' }
  /** One's own password and API tokens. */
  | { page: 'account' }
  | { page: 'not-found'; path: string }

const segment = (value: string) => decodeURIComponent(value)

export function parseRoute(pathname: string, search: string): Route {
  const parts = pathname.split('/').filter(Boolean)
  if (parts.length === 0) return { page: 'boards' }
  if (parts[0] === 'signin' && parts.length === 1) return { page: 'signin', next: safeNext(new URLSearchParams(search).get('next')) }
  if (parts[0] === 'setup' && parts.length === 1) return { page: 'setup' }
  if (parts[0] === 'people' && parts.length === 1) return { page: 'people' }
  if (parts[0] === 'account' && parts.length === 1) return { page: 'account' }
  if (parts[0] === 'invite' && parts.length === 2) return { page: 'invite', token: segment(parts[1]!) }
  if (parts[0] === 'boards' && parts.length === 2) return { page: 'board', boardId: segment(parts[1]!) }
  if (parts[0] === 'boards' && parts.length === 3 && parts[2] === 'history') {
    return { page: 'history', boardId: segment(parts[1]!), at: new URLSearchParams(search).get('at') || null }
  }
  if (parts[0] === 'boards' && parts.length === 4 && parts[2] === 'snapshots') {
    return { page: 'snapshot', boardId: segment(parts[1]!), snapshotId: segment(parts[3]!), compare: new URLSearchParams(search).get('compare') || null }
  }
  return { page: 'not-found', path: pathname }
}

/** Only a path on this site may follow sign-in: `next=https://elsewhere` would be an open redirect. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/'
}

export const paths = {
  boards: () => '/',
  board: (boardId: string) => `/boards/${encodeURIComponent(boardId)}`,
  snapshot: (boardId: string, snapshotId: string, compare?: string | null) =>
    `/boards/${encodeURIComponent(boardId)}/snapshots/${encodeURIComponent(snapshotId)}${compare ? `?compare=${encodeURIComponent(compare)}` : ''}`,
  history: (boardId: string, at: string) => `/boards/${encodeURIComponent(boardId)}/history?at=${encodeURIComponent(at)}`,
  signin: (next?: string) => (next && next !== '/' ? `/signin?next=${encodeURIComponent(next)}` : '/signin'),
  setup: () => '/setup',
  people: () => '/people',
  account: () => '/account',
}
