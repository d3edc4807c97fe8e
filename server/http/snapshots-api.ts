/**
 * Snapshots: make one of the live board, list them, read one as the board
 * model (or as its Yjs state, for a read-only board view), compare any two
 * versions, restore one onto the live board, and delete one nobody reviewed.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { WORD_DIFF_SKIPPED } from '../../shared/word-diff-bounds.ts'
import { boardModelSchema } from '../../shared/board-model.ts'
import {
  createSnapshotSchema,
  LIVE,
  restoreResultSchema,
  SNAPSHOT_KINDS,
  snapshotSummarySchema,
  versionRefSchema,
} from '../../shared/snapshot-model.ts'
import { audited, auditedAs, type AuditEntry } from '../access/audit.ts'
import { actorOf } from '../snapshots/actor.ts'
import { captureStoredBoard } from '../snapshots/stored-board.ts'
import { diffStoredVersions } from '../snapshots/diff-versions.ts'
import { recordSnapshot } from '../snapshots/record-snapshot.ts'
import { settledCapture } from '../snapshots/settled-capture.ts'
import { SnapshotContentMoved } from '../storage/snapshot-rows.ts'
import { restoreSnapshot } from '../snapshots/restore-snapshot.ts'
import { withSnapshotRoom } from '../snapshots/snapshot-quota.ts'
import { countedServerClientId, givenBackOnFailure, spendAllowance } from './allowance.ts'
import { ensureSnapshotBytes, spendSnapshotBytes } from './snapshot-bytes.ts'
import type { BoardEnv, SignedInEnv } from './app-env.ts'
import { keptAsOf, pastTime } from './as-of-query.ts'
import { readLogAsOf } from './board-history-read.ts'
import { replayLane } from '../history/replay-lane.ts'
import { boardParams, boardRole, boardRoleUntilAnswered, refuseArchived, rightStillHeld, snapshotParams } from './board-role.ts'
import { ApiError, notFound } from './errors.ts'
import { jsonBytes, sendJsonText } from './json-text.ts'
import { errorResponses, historyReadResponses, jsonBody, jsonResponse, notModifiedResponse, workerErrorResponses } from './openapi-parts.ts'
import { validationHook } from './validation-hook.ts'
import { versionRead } from './version-reads.ts'
import type { SnapshotRecord } from '../storage/storage.ts'
import { snapshotNotFound, wholeSnapshot } from './whole-snapshot.ts'
import { quoted } from '../../shared/bidi.ts'

const versionParam = (side: 'from' | 'to') =>
  z.string({ error: `give ${side}=<snapshot id> or ${side}=${LIVE}` }).min(1, `give ${side}=<snapshot id> or ${side}=${LIVE}`).max(64)

const diffQuery = z.object({ from: versionParam('from'), to: versionParam('to').default(LIVE) })

const wordEditSchema = z.object({ change: z.enum(['kept', 'added', 'removed']), text: z.string() })
/** `from` or `to` is absent where an optional field was not set on that side. */
const fieldChangeSchema = z.object({
  field: z.string(),
  from: z.unknown().optional(),
  to: z.unknown().optional(),
  words: z.array(wordEditSchema).optional(),
  /** Why a changed text has no word diff: over DIFF_MAX_TEXT_CHARS, or the comparison's DIFF_TIME_BUDGET_MS was spent. */
  wordsSkipped: z.enum(WORD_DIFF_SKIPPED).optional(),
})
const collectionDiffSchema = <S extends z.ZodType>(entity: S) =>
  z.object({
    added: z.array(entity),
    removed: z.array(entity),
    changed: z.array(z.object({ id: z.string(), from: entity, to: entity, fields: z.array(fieldChangeSchema) })),
  })
const diffResultSchema = z.object({
  from: versionRefSchema,
  to: versionRefSchema,
  /** True when the two versions hold the same content. */
  empty: z.boolean(),
  diff: z.object({
    meta: z.array(fieldChangeSchema),
    sources: collectionDiffSchema(boardModelSchema.shape.sources.element),
    documents: collectionDiffSchema(boardModelSchema.shape.documents.element),
    claims: collectionDiffSchema(boardModelSchema.shape.claims.element),
    assessments: collectionDiffSchema(boardModelSchema.shape.assessments.element),
    links: collectionDiffSchema(boardModelSchema.shape.links.element),
  }),
})


/**
 * Makes a named snapshot or a restore (which keeps a restore point): within
 * the board's snapshot quota and what its person may still store of snapshots
 * (about the board's stored size, given to `make`), both checked first so that
 * a refusal costs none of the hourly allowance, then spending one of it.
 */
function spendingSnapshot<T>(c: Context<BoardEnv>, make: (boardBytes: number) => Promise<T>): Promise<T> {
  return withSnapshotRoom(c.var.services, c.var.board.id, async (boardBytes) => {
    await ensureSnapshotBytes(c.var.services, c.var.principal, boardBytes)
    await spendAllowance(c.var.services.allowances.snapshots, c.var.principal, 'made as many snapshots and restores')
    return make(boardBytes)
  })
}

/** The snapshot a comparison names, looked up before anything is read (null for the live board); 404 when the board has none such. */
async function compared(c: Context<BoardEnv>, version: string): Promise<SnapshotRecord | null> {
  if (version === LIVE) return null
  const snapshot = await c.var.services.storage.snapshots.get(c.var.board.id, version)
  if (!snapshot) throw snapshotNotFound(version)
  return snapshot
}

/** Mounted at `/boards/:id`. */
export function snapshotsApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'post',
      path: '/snapshots',
      middleware: boardRole('editor'),
      summary: 'Make a named snapshot of the live board, or of the board as it was at a past time (editors and owners)',
      request: { params: boardParams, body: jsonBody(createSnapshotSchema) },
      responses: { 201: jsonResponse(snapshotSummarySchema, 'The new snapshot'), ...errorResponses, ...workerErrorResponses, ...historyReadResponses },
    }),
    async (c) => {
      const id = c.var.board.id
      const { label, asOf } = c.req.valid('json')
      const { services, principal } = c.var
      // A snapshot not made (a full disk, a right taken away while it was captured) stored nothing, and is not counted.
      const snapshot = await spendingSnapshot(c, () =>
        givenBackOnFailure(services.allowances.snapshots, principal, () => settledCapture(async () => {
          const past = asOf === undefined ? null : keptAsOf(await readLogAsOf(c, await pastTime(c, asOf)))
          const captured = past ? await services.workers.run('capture-board', { boardId: id, log: past.log }, { boardId: id, ...replayLane(past.log) }) : await captureStoredBoard(services, id)
          if (!captured) throw notFound('Board')
          // Capturing ran in a worker thread: the right to record its result is decided again.
          await rightStillHeld(c)()
          // Charged what it stores, even when it holds what the newest snapshot holds: it stores those bytes again.
          const bytes = captured.state.byteLength
          await spendSnapshotBytes(services, principal, bytes)
          const snapshotId = crypto.randomUUID()
          const entry = { actor: principal, action: 'snapshot', boardId: id, detail: { snapshotId, label, contentHash: captured.contentHash, asOf: past?.at ?? null } } as const
          // The moment its content is of, stored with it: dated only by when it was made, the board's work between the two
          // would read as done after it (in comparisons, briefings' changes since it, the history up to it).
          const meta = { id: snapshotId, label, kind: 'named', author: actorOf(principal), asOf: past?.at ?? null } as const
          // Stored with its audit entry or not at all.
          const recorded = await givenBackOnFailure(
            services.allowances.snapshotBytes,
            principal,
            () => audited(services, entry, (row) => recordSnapshot(services.storage, id, captured, meta, {}, row)),
            { amount: bytes },
          )
          if (!recorded) throw new Error('a named snapshot has no guard, yet it was not recorded')
          return recorded
        }).catch((error: unknown) => {
          if (error instanceof SnapshotContentMoved) throw new ApiError(503, 'board_busy', 'The board kept changing while it was captured; try again.', 1)
          throw error
        })),
      )
      return c.json(snapshot, 201)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/snapshots',
      middleware: boardRole('reviewer'),
      summary: "The board's snapshots, newest first",
      request: { params: boardParams, query: z.object({ kind: z.enum(SNAPSHOT_KINDS).optional() }) },
      responses: { 200: jsonResponse(z.array(snapshotSummarySchema), 'Snapshots, newest first'), ...errorResponses },
    }),
    async (c) => {
      const id = c.var.board.id
      const { kind } = c.req.valid('query')
      const snapshots = await c.var.services.storage.snapshots.list(id)
      return c.json(kind ? snapshots.filter((s) => s.kind === kind) : snapshots, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/snapshots/{snapshotId}',
      middleware: boardRoleUntilAnswered('reviewer'),
      summary: "A snapshot's content as the board model; the ETag is its content hash (If-None-Match naming it: 304)",
      request: { params: snapshotParams },
      responses: {
        200: jsonResponse(boardModelSchema, 'The board as the snapshot holds it'),
        ...notModifiedResponse,
        ...errorResponses,
        ...workerErrorResponses,
        ...historyReadResponses,
      },
    }),
    async (c) => {
      const id = c.var.board.id
      const { snapshotId } = c.req.valid('param')
      const { storage, workers } = c.var.services
      // Converted and serialized in a worker thread, once for every reader while it is kept; this thread only sends the bytes.
      const json = await wholeSnapshot(c, 'snapshot-model', snapshotId, async () => {
        const state = await storage.snapshots.state(id, snapshotId)
        return state && jsonBytes(await workers.run('snapshot-model-json', { boardId: id, state }))
      })
      return json ? sendJsonText(c, json) : c.body(null, 304)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/snapshots/{snapshotId}/summary',
      middleware: boardRole('reviewer'),
      summary: "A snapshot's label, kind, author, time, content hash and previous snapshot",
      request: { params: snapshotParams },
      responses: { 200: jsonResponse(snapshotSummarySchema, 'The snapshot'), ...errorResponses },
    }),
    async (c) => {
      const id = c.var.board.id
      const { snapshotId } = c.req.valid('param')
      const snapshot = await c.var.services.storage.snapshots.get(id, snapshotId)
      if (!snapshot) throw snapshotNotFound(snapshotId)
      return c.json(snapshot, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/snapshots/{snapshotId}/state',
      middleware: boardRoleUntilAnswered('reviewer'),
      summary:
        "A snapshot's whole board document as one Yjs update (document bodies included), for a read-only board view; the ETag is its content hash (If-None-Match naming it: 304)",
      request: { params: snapshotParams },
      responses: {
        200: {
          content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
          description: 'Apply with Y.applyUpdate to an empty Y.Doc',
        },
        ...notModifiedResponse,
        ...errorResponses,
        ...historyReadResponses,
      },
    }),
    async (c) => {
      const id = c.var.board.id
      const { snapshotId } = c.req.valid('param')
      // Read from the database once for every reader while it is kept, and sent as read: every answer shares those bytes.
      const state = await wholeSnapshot(c, 'snapshot-state', snapshotId, () => c.var.services.storage.snapshots.state(id, snapshotId))
      return state ? c.body(state, 200, { 'content-type': 'application/octet-stream' }) : c.body(null, 304)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/snapshots/{snapshotId}/restore',
      middleware: boardRole('owner'),
      summary: "Make the live board equal to the snapshot's content (owners); the state it replaces is kept as a snapshot",
      request: { params: snapshotParams },
      responses: { 200: jsonResponse(restoreResultSchema, 'What the restore did'), ...errorResponses, ...workerErrorResponses },
    }),
    async (c) => {
      const id = c.var.board.id
      const { snapshotId } = c.req.valid('param')
      refuseArchived(c.var.board.record)
      const { services, principal } = c.var
      const entryOf = ({ beforeSnapshotId }: { beforeSnapshotId: string | null }): AuditEntry => ({ actor: principal, action: 'restore', boardId: id, detail: { snapshotId, beforeSnapshotId } })
      // The restore point it keeps is a snapshot like any other. The restore is committed with its audit entry or not at
      // all (a refused entry leaves the board as it was, and the request is not counted).
      const result = await spendingSnapshot(c, (boardBytes) =>
        givenBackOnFailure(services.allowances.snapshots, principal, () =>
          // Its new client id counted first: refused, it has charged no snapshot bytes.
          countedServerClientId(
            services.allowances,
            principal,
            async () => {
              await spendSnapshotBytes(services, principal, boardBytes)
              return auditedAs(services, entryOf, (rowOf) => restoreSnapshot(services, id, snapshotId, actorOf(principal), rightStillHeld(c), rowOf))
            },
            (made) => made?.changed === true,
          ),
        ),
      )
      if (!result) throw snapshotNotFound(snapshotId)
      return c.json(result, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/snapshots/{snapshotId}',
      middleware: boardRole('owner'),
      summary: 'Delete a snapshot nobody has reviewed (owners); one with comments, verdicts or sign-offs is kept with its review',
      request: { params: snapshotParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses },
    }),
    async (c) => {
      const id = c.var.board.id
      const { snapshotId } = c.req.valid('param')
      refuseArchived(c.var.board.record)
      const snapshot = await c.var.services.storage.snapshots.get(id, snapshotId)
      if (!snapshot) throw snapshotNotFound(snapshotId)
      // Deleted with its audit entry or not at all.
      const entry: AuditEntry = {
        actor: c.var.principal,
        action: 'snapshot-deleted',
        boardId: id,
        detail: { snapshotId, label: snapshot.label, kind: snapshot.kind, contentHash: snapshot.contentHash, createdAt: snapshot.createdAt },
      }
      const removal = await audited(c.var.services, entry, (row) => c.var.services.storage.snapshots.remove(id, snapshotId, row), (removal) => removal === 'deleted')
      if (removal === 'not-found') throw snapshotNotFound(snapshotId)
      if (removal === 'reviewed') {
        throw new ApiError(409, 'snapshot_reviewed', `Snapshot ${quoted(snapshot.label)} has review comments, verdicts or sign-offs: it is kept, with its review, and cannot be deleted.`)
      }
      return c.body(null, 204)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/diff',
      middleware: boardRoleUntilAnswered('reviewer'),
      summary: `What changed between two versions: snapshot ids, or "${LIVE}" for the board as it is now`,
      request: { params: boardParams, query: diffQuery },
      responses: {
        200: jsonResponse(diffResultSchema, 'Items added, removed and changed, with word-level diffs of texts (bounded in size and time)'),
        ...errorResponses,
        ...workerErrorResponses,
        ...historyReadResponses,
      },
    }),
    async (c) => {
      const id = c.var.board.id
      const { from, to } = c.req.valid('query')
      const { services } = c.var
      const [before, after] = await Promise.all([compared(c, from), compared(c, to)])
      // Compared and serialized in a worker thread; this thread only sends the text.
      const words = { maxTextChars: services.config.DIFF_MAX_TEXT_CHARS, budgetMs: services.config.DIFF_TIME_BUDGET_MS }
      // Two snapshots never change: their comparison is named by their content and kept; one with the live board by the log's state.
      const hashes = [before, after].map((side) => side?.contentHash ?? null)
      const read = { kind: 'diff', parameters: JSON.stringify([from, to]), ...(hashes.includes(null) ? {} : { version: JSON.stringify(hashes) }) } as const
      const sides = { from, to, now: services.clock().toISOString() }
      // Encoded once for every reader while kept.
      const diff = await versionRead(c, read, async (loaded) => {
        const compared = await diffStoredVersions(services, id, sides, words, loaded)
        return compared && jsonBytes(compared)
      })
      // A snapshot deleted since it was looked up, or the board.
      if (!diff) throw notFound('Version')
      return sendJsonText(c, diff)
    },
  )

  return api
}
