/**
 * A bare client of a Yjs relay for the load generator: a websocket speaking
 * the sync protocol of y-protocols with lib0, cheap enough to run hundreds in
 * one process. A reader keeps the payloads it receives, unapplied, and a
 * convergence check folds them afterwards; a client with a Y.Doc sends that
 * doc's changes and, while it follows, applies what it receives.
 *
 * Dialects: Assay's `/ws/<board>?token=` and the reference server's
 * `/<board>` speak y-websocket as is; Hocuspocus prefixes every message with
 * the document's name and wants its auth message before anything else.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { MESSAGE_AUTH, MESSAGE_SYNC } from '../../shared/protocol.ts'
import type { TargetReady } from './server-probe.js'
import type { Signal } from './signal.ts'

/** Hocuspocus' sync reply: a sync message that asks for no step 1 in return. */
const HOCUSPOCUS_SYNC_REPLY = 4
const HOCUSPOCUS_AUTHENTICATED = 2
const PERMISSION_DENIED = 1
/** The state update of an empty document: what a reader sends as its step 2. */
const EMPTY_UPDATE = new Uint8Array([0, 0])

export type ClientOptions = {
  /** Woken after every frame, for whatever waits on clients. */
  signal: Signal
  /** A writer's document: its changes are sent; what arrives is applied while `following`. */
  doc?: Y.Doc
  /** Called on every update frame (after it is applied, when it is). */
  onUpdate?: () => void
}

function socketUrl(target: TargetReady, board: string): string {
  if (target.dialect === 'assay') return `${target.wsBase}/ws/${board}?token=${encodeURIComponent(target.token ?? '')}`
  if (target.dialect === 'y-websocket') return `${target.wsBase}/${board}`
  return target.wsBase
}

export class RelayClient {
  readonly socket: WebSocket
  /** Resolves when the server's step 2 has arrived. */
  readonly synced: Promise<void>
  /** What a reader received, unapplied, in order. */
  readonly payloads: Uint8Array[] = []
  /** Whether a writer applies what it receives; one typing flat out stops (and drops it), so that the load generator measures the server. */
  following = true
  private isSynced = false
  private closed: Promise<void>

  constructor(
    private readonly target: TargetReady,
    private readonly board: string,
    private readonly options: ClientOptions,
  ) {
    this.socket = new WebSocket(socketUrl(target, board), { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 })
    this.socket.binaryType = 'nodebuffer'
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()))
    this.synced = new Promise((resolve, reject) => {
      const fail = (why: string) => reject(new Error(`${target.dialect} client of ${board}: ${why}`))
      this.socket.once('unexpected-response', (_request, response) => fail(`upgrade refused with ${response.statusCode}`))
      this.socket.once('error', (error) => fail(error.message))
      this.socket.once('close', (code, reason) => {
        if (!this.isSynced) fail(`closed before syncing: ${code} ${reason.toString()}`)
      })
      this.socket.on('message', (data: Buffer) => {
        try {
          if (this.receive(data) && !this.isSynced) {
            this.isSynced = true
            resolve()
          }
        } catch (error) {
          fail(error instanceof Error ? error.message : String(error))
          this.socket.terminate()
        }
        options.signal.notify()
      })
    })
    this.synced.catch(() => {})
    this.socket.once('open', () => {
      if (target.dialect === 'hocuspocus') this.send((e) => hocuspocusAuth(e, target.token ?? ''))
      else this.sendStep1()
    })
    options.doc?.on('update', this.onDocUpdate)
  }

  get doc(): Y.Doc | undefined {
    return this.options.doc
  }

  /** Closes the socket and resolves once it has closed. */
  close(): Promise<void> {
    this.options.doc?.off('update', this.onDocUpdate)
    if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate()
    else this.socket.close()
    return this.closed
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this) return
    this.send((e) => {
      encoding.writeVarUint(e, MESSAGE_SYNC)
      syncProtocol.writeUpdate(e, update)
    })
  }

  private sendStep1(): void {
    this.send((e) => {
      encoding.writeVarUint(e, MESSAGE_SYNC)
      encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep1)
      encoding.writeVarUint8Array(e, this.options.doc ? Y.encodeStateVector(this.options.doc) : new Uint8Array([0]))
    })
  }

  private send(write: (encoder: encoding.Encoder) => void): void {
    if (this.socket.readyState !== WebSocket.OPEN) return
    const encoder = encoding.createEncoder()
    if (this.target.dialect === 'hocuspocus') encoding.writeVarString(encoder, this.board)
    write(encoder)
    this.socket.send(encoding.toUint8Array(encoder))
  }

  /** Handles one frame; true when it was the server's step 2. */
  private receive(frame: Uint8Array): boolean {
    const decoder = decoding.createDecoder(frame)
    if (this.target.dialect === 'hocuspocus') decoding.readVarString(decoder)
    const type = decoding.readVarUint(decoder)
    if (type === MESSAGE_AUTH) {
      const answer = decoding.readVarUint(decoder)
      if (answer === PERMISSION_DENIED) throw new Error(`permission denied: ${decoding.readVarString(decoder)}`)
      if (this.target.dialect === 'hocuspocus' && answer === HOCUSPOCUS_AUTHENTICATED) this.sendStep1()
      return false
    }
    if (type !== MESSAGE_SYNC && !(this.target.dialect === 'hocuspocus' && type === HOCUSPOCUS_SYNC_REPLY)) return false
    const syncType = decoding.readVarUint(decoder)
    const payload = decoding.readVarUint8Array(decoder)
    if (syncType === syncProtocol.messageYjsSyncStep1) {
      const doc = this.options.doc
      this.send((e) => {
        encoding.writeVarUint(e, MESSAGE_SYNC)
        encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2)
        encoding.writeVarUint8Array(e, doc ? Y.encodeStateAsUpdate(doc, payload) : EMPTY_UPDATE)
      })
      return false
    }
    if (!this.options.doc) this.payloads.push(payload)
    else if (this.following) Y.applyUpdate(this.options.doc, payload, this)
    if (syncType === syncProtocol.messageYjsSyncStep2) return true
    this.options.onUpdate?.()
    return false
  }
}

function hocuspocusAuth(encoder: encoding.Encoder, token: string): void {
  encoding.writeVarUint(encoder, MESSAGE_AUTH)
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarString(encoder, token)
}

/**
 * Whether what `client` received adds up to `reference`'s state: its payloads
 * merged and applied to a fresh document (its own document when it has one),
 * with nothing left pending: the same inserts and the same deletions.
 */
export function convergesTo(client: RelayClient, reference: Y.Doc): boolean {
  const doc = new Y.Doc()
  try {
    if (client.doc) Y.applyUpdate(doc, Y.encodeStateAsUpdate(client.doc))
    if (client.payloads.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(client.payloads))
    if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) return false
    return Y.equalSnapshots(Y.snapshot(doc), Y.snapshot(reference))
  } finally {
    doc.destroy()
  }
}
