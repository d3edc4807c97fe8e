/**
 * What one person may do on an instance an hour, where each time leaves a
 * lasting cost: sign in (SIGN_INS_PER_HOUR_PER_ACCOUNT; each is a session row
 * and an audit entry), create boards (BOARDS_PER_HOUR_PER_PERSON; one account made
 * 3,000 in ten seconds, after which every board list held the event loop a
 * third of a second), and make snapshots or restore them
 * (SNAPSHOTS_PER_HOUR_PER_PERSON; each stores the whole board again, and a
 * restore rewrites it for everyone on it), write review comments
 * (COMMENTS_PER_HOUR_PER_PERSON; each is kept for good, and every open thread
 * is sent to everyone opening the board), and export
 * (EXPORTS_PER_HOUR_PER_PERSON; each is an audit entry). A burst of that
 * many, then that many an hour; past it `429` with Retry-After, and nothing is done. Another
 * person is not affected, and the admin is not counted.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { verifyPassword } from '../../server/auth/passwords.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import type { OpenThread, RestoreResult, ReviewComment, SnapshotSummary } from '../../shared/snapshot-model.ts'
import { addAccount, addMember, addToken, sessionCookieFrom, sessionHeaders, signedInClient, signIn, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

type ErrorBody = { error: { code: string; message: string } }

const SIGNED_IN_REFUSAL = 'You have signed in or changed your password as many times as you may for now. Try again in 1200 s.'

let server: TestServer

beforeEach(async () => {
  server = await startTestServer({ accounts: true, env: { SIGN_INS_PER_HOUR_PER_ACCOUNT: '3', BOARDS_PER_HOUR_PER_PERSON: '3', SNAPSHOTS_PER_HOUR_PER_PERSON: '3', COMMENTS_PER_HOUR_PER_PERSON: '3', EXPORTS_PER_HOUR_PER_PERSON: '3', ACCESS_CHANGES_PER_HOUR_PER_PERSON: '3', SNAPSHOT_INTERVAL_MINUTES: '0' } })
})

afterEach(async () => {
  await server.destroy()
})

const as = async (account: TestAccount) => apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })
/** Signed in, as the browser is: making invite links and adding members need a session. */
const signedIn = (account: TestAccount) => signedInClient(server, account)
const create = (api: ApiClient, title: string) => api.post<{ id: string } & ErrorBody>('/api/boards', { title })

it('refuses a person’s board past the limit with 429 and Retry-After, and creates nothing; others carry on', async () => {
  const eager = await as(await addAccount(server, { name: 'Eve Eager' }))
  for (let i = 1; i <= 3; i++) expect((await create(eager, `Board ${i}`)).status).toBe(201)
  const refused = await create(eager, 'Board 4')
  expect(refused.status).toBe(429)
  expect(refused.headers.get('retry-after')).toBe('1200')
  expect(refused.body.error).toEqual({ code: 'rate_limited', message: 'You have created as many boards as you may for now. Try again in 1200 s.' })
  expect((await eager.get<{ title: string }[]>('/api/boards')).body.map((board) => board.title)).toEqual(['Board 1', 'Board 2', 'Board 3'])

  const other = await as(await addAccount(server, { name: 'Otto Other' }))
  expect((await create(other, 'Mine')).status).toBe(201)
  const admin = await as(await addAccount(server, { name: 'Ada Admin', isAdmin: true }))
  for (let i = 1; i <= 4; i++) expect((await create(admin, `Admin's ${i}`)).status).toBe(201)
})

it('counts a person’s named snapshots and restores together; past the limit neither is made, and others carry on', async () => {
  const ownerAccount = await addAccount(server, { name: 'Olivia Owner' })
  const owner = await as(ownerAccount)
  const boardId = (await create(owner, 'Wagner redeployment')).body.id
  const editorAccount = await addAccount(server, { name: 'Edgar Editor' })
  await addMember(server, boardId, editorAccount, 'editor')
  const editor = await as(editorAccount)
  const base = `/api/boards/${boardId}`
  const snapshot = (api: ApiClient, label: string) => api.post<SnapshotSummary & ErrorBody>(`${base}/snapshots`, { label })
  const restore = (id: string) => owner.post<RestoreResult & ErrorBody>(`${base}/snapshots/${id}/restore`)
  const titles = async () => (await owner.get<BoardModel>(base)).body.assessments.map((a) => a.title)
  const kinds = async () => (await owner.get<SnapshotSummary[]>(`${base}/snapshots`)).body.map((s) => s.kind)

  // The editor's three named snapshots leave them none; the owner's own allowance is untouched.
  expect((await snapshot(editor, 'empty')).status).toBe(201)
  const empty = (await snapshot(editor, 'empty again')).body
  expect((await editor.post(`${base}/assessments`, { title: 'Wagner will redeploy' })).status).toBe(201)
  const withCard = (await snapshot(editor, 'one card')).body
  const refusedSnapshot = await snapshot(editor, 'one too many')
  expect(refusedSnapshot.status).toBe(429)
  expect(refusedSnapshot.headers.get('retry-after')).toBe('1200')
  expect(refusedSnapshot.body.error).toEqual({ code: 'rate_limited', message: 'You have made as many snapshots and restores as you may for now. Try again in 1200 s.' })
  expect(await kinds()).toEqual(['named', 'named', 'named'])

  // The owner restores twice and snapshots once; the fourth time, a restore, is refused and changes nothing.
  expect((await restore(empty.id)).body.changed).toBe(true)
  expect((await restore(withCard.id)).body.changed).toBe(true)
  expect((await snapshot(owner, 'restored')).status).toBe(201)
  const refusedRestore = await restore(empty.id)
  expect(refusedRestore.status).toBe(429)
  expect(refusedRestore.body.error.code).toBe('rate_limited')
  expect(await titles()).toEqual(['Wagner will redeploy'])
  expect(await kinds()).toEqual(['named', 'restore', 'restore', 'named', 'named', 'named'])

  // The admin is not counted.
  const admin = await as(await addAccount(server, { name: 'Ada Admin', isAdmin: true }))
  for (let i = 1; i <= 4; i++) expect((await snapshot(admin, `admin's ${i}`)).status).toBe(201)
})

it('counts a person’s comments and replies; past the limit nothing is stored, and other reviewers carry on', async () => {
  const owner = await as(await addAccount(server, { name: 'Olivia Owner' }))
  const boardId = (await create(owner, 'Wagner redeployment')).body.id
  const base = `/api/boards/${boardId}`
  const card = (await owner.post<{ id: string }>(`${base}/assessments`, { title: 'Wagner will redeploy' })).body.id
  const snapshotId = (await owner.post<SnapshotSummary>(`${base}/snapshots`, { label: 'For review' })).body.id
  const reviewer = async (name: string) => {
    const account = await addAccount(server, { name })
    await addMember(server, boardId, account, 'reviewer')
    return as(account)
  }
  const rita = await reviewer('Rita Reviewer')
  const comment = (api: ApiClient, body: object) => api.post<ReviewComment & ErrorBody>(`${base}/snapshots/${snapshotId}/comments`, body)

  const thread = (await comment(rita, { assessmentId: card, body: 'Which source says weeks?' })).body
  expect((await comment(rita, { parentId: thread.id, body: 'Found it: the NATO briefing.' })).status).toBe(201)
  expect((await comment(rita, { assessmentId: card, body: 'A second thread.' })).status).toBe(201)
  const refused = await comment(rita, { parentId: thread.id, body: 'One too many.' })
  expect(refused.status).toBe(429)
  expect(refused.headers.get('retry-after')).toBe('1200')
  expect(refused.body.error).toEqual({ code: 'rate_limited', message: 'You have written as many comments as you may for now. Try again in 1200 s.' })

  const rex = await reviewer('Rex Reviewer')
  expect((await comment(rex, { parentId: thread.id, body: 'Agreed.' })).status).toBe(201)
  const open = (await owner.get<OpenThread[]>(`${base}/review/open-threads`)).body
  expect(open.map((t) => t.comments.map((c) => c.body))).toEqual([
    ['Which source says weeks?', 'Found it: the NATO briefing.', 'Agreed.'],
    ['A second thread.'],
  ])
})

it('counts a person’s exports, each an audit entry; past the limit nothing is made or logged, and others carry on', async () => {
  const ownerAccount = await addAccount(server, { name: 'Olivia Owner' })
  const owner = await as(ownerAccount)
  const boardId = (await create(owner, 'Wagner redeployment')).body.id
  const reviewerAccount = await addAccount(server, { name: 'Rita Reviewer' })
  await addMember(server, boardId, reviewerAccount, 'reviewer')
  const reviewer = await as(reviewerAccount)
  const base = `/api/boards/${boardId}`
  const exported = (api: ApiClient, format: string) => api.get<ErrorBody>(`${base}/export?format=${format}`)
  const exports = async () => (await owner.get<{ action: string }[]>(`${base}/audit`)).body.filter((entry) => entry.action === 'export')

  for (const format of ['md', 'html', 'stix']) expect((await exported(reviewer, format)).status).toBe(200)
  const refused = await exported(reviewer, 'md')
  expect(refused.status).toBe(429)
  expect(refused.headers.get('retry-after')).toBe('1200')
  expect(refused.body.error).toEqual({ code: 'rate_limited', message: 'You have exported as many times as you may for now. Try again in 1200 s.' })
  expect(await exports()).toHaveLength(3)

  expect((await exported(owner, 'md')).status).toBe(200)
  const admin = await as(await addAccount(server, { name: 'Ada Admin', isAdmin: true }))
  for (let i = 1; i <= 4; i++) expect((await exported(admin, 'json')).status).toBe(200)
  expect(await exports()).toHaveLength(8)
})

it('counts a person’s changes of who may do what (invite links, members, tokens, archiving), each an audit entry; past the limit nothing changes', async () => {
  const owner = await signedIn(await addAccount(server, { name: 'Olivia Owner' }))
  const boardId = (await create(owner, 'Wagner redeployment')).body.id
  const base = `/api/boards/${boardId}`
  const colleague = await addAccount(server, { name: 'Carl Colleague' })
  const invite = await owner.post<{ id: string }>(`${base}/invites`, { role: 'reviewer' })
  expect(invite.status).toBe(201)
  expect((await owner.delete(`${base}/invites/${invite.body.id}`)).status).toBe(204)
  expect((await owner.post(`${base}/members`, { email: colleague.email, role: 'editor' })).status).toBe(201)
  const refused = await owner.post<ErrorBody>(`${base}/archive`)
  expect(refused.status).toBe(429)
  expect(refused.headers.get('retry-after')).toBe('1200')
  expect(refused.body.error).toEqual({
    code: 'rate_limited',
    message: 'You have changed invite links, members, API tokens or archiving as many times as you may for now. Try again in 1200 s.',
  })
  expect((await owner.post<ErrorBody>('/api/tokens', { name: 'script' })).status).toBe(429)
  expect((await owner.get<{ archivedAt: string | null }[]>('/api/boards?archived=include')).body[0]!.archivedAt).toBeNull()
  const audit = (await owner.get<{ action: string }[]>(`${base}/audit`)).body.map((entry) => entry.action)
  expect(audit.filter((action) => action !== 'board-created').sort()).toEqual(['invite-created', 'invite-revoked', 'member-added'])

  const other = await signedIn(await addAccount(server, { name: 'Otto Other' }))
  expect((await other.post(`/api/boards/${(await create(other, 'Mine')).body.id}/invites`, { role: 'reviewer' })).status).toBe(201)
  const admin = await as(await addAccount(server, { name: 'Ada Admin', isAdmin: true }))
  for (let i = 0; i < 2; i++) {
    expect((await admin.post(`${base}/archive`)).status).toBe(200)
    expect((await admin.delete(`${base}/archive`)).status).toBe(200)
  }
})

it('counts an account’s sign-ins with the right password; past the limit no session is started, and the sessions made go on working', async () => {
  const eager = await addAccount(server, { name: 'Eve Eager' })
  const cookies = [await signIn(server, eager), await signIn(server, eager), await signIn(server, eager)]
  const refused = await apiClient(server.url, { origin: server.url }).post<ErrorBody>('/api/auth/login', { email: eager.email, password: eager.password })
  expect(refused.status).toBe(429)
  expect(refused.headers.get('retry-after')).toBe('1200')
  expect(refused.body.error).toEqual({ code: 'rate_limited', message: SIGNED_IN_REFUSAL })
  expect(sessionCookieFrom(refused.headers)).toBeNull()
  // Refused before the password is checked (each check is a slice of a core): a wrong one is answered the same.
  const wrong = await apiClient(server.url, { origin: server.url }).post<ErrorBody>('/api/auth/login', { email: eager.email, password: 'not the password at all' })
  expect(wrong.status).toBe(429)
  for (const cookie of cookies) expect((await apiClient(server.url, sessionHeaders(server, cookie)).get('/api/me')).status).toBe(200)

  await signIn(server, await addAccount(server, { name: 'Otto Other' }))
  const admin = await addAccount(server, { name: 'Ada Admin', isAdmin: true })
  for (let i = 1; i <= 4; i++) await signIn(server, admin)
})

it('counts a password change as a sign-in: past the limit the password is neither checked nor changed', async () => {
  const account = await addAccount(server, { name: 'Pat Changer' })
  const session = await signedInClient(server, account)
  const change = (from: string, to: string) => session.post<ErrorBody>('/api/me/password', { currentPassword: from, newPassword: to })
  expect((await change(account.password, 'a second long password')).status).toBe(204)
  expect((await change('a second long password', account.password)).status).toBe(204)
  const refused = await change(account.password, 'a third long password')
  expect(refused.status).toBe(429)
  expect(refused.headers.get('retry-after')).toBe('1200')
  expect(refused.body.error).toEqual({ code: 'rate_limited', message: SIGNED_IN_REFUSAL })
  const stored = await server.services.storage.users.get(account.id)
  expect(await verifyPassword(stored!.passwordHash, account.password)).toBe(true)
})
