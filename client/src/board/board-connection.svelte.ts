/**
 * A board's live document in this browser: the offline copy (y-indexeddb)
 * loaded first, then the relay (the stock y-websocket provider), and the state
 * the badge shows: connected, reconnecting or offline, and saved once the
 * server has echoed every change this browser holds.
 */
import { clearDocument, IndexeddbPersistence } from 'y-indexeddb'
import { messageAuth, WebsocketProvider } from 'y-websocket'
import { readAuthMessage } from 'y-protocols/auth'
import * as Y from 'yjs'
import { CLOSE, WEBSOCKET_PATH, type BoardFullNotice, type RestoreNotice, type ServerPresence } from '../../../shared/protocol.ts'
import { noteUnsaved } from '../app/offline-copies.ts'
import { takeFreshIdWhenTaken } from './fresh-presence-id.ts'
import { keepOwnPresence } from './own-presence.ts'
import { SaveTracker, trackProvider } from './save-tracker.ts'

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'offline'

/** How long the offline copy may take to load before the relay is asked for everything instead. */
const OFFLINE_COPY_WAIT_MS = 3000

export type ConnectionEvents = {
  /** The server closed the socket because this person's rights changed, or refused it several times in a row. */
  onAccessChanged: () => void
  /** The server refused this browser's changes for good; the message says what to do. */
  onFailed: (message: string) => void
  /**
   * The server reloaded the board from its log and this browser had nothing
   * unsaved: its document and offline copy are gone, and the board must be
   * opened afresh with a new connection.
   */
  onReloaded: () => void
}

export class BoardConnection {
  readonly doc = new Y.Doc()
  readonly provider: WebsocketProvider
  readonly #offlineCopy: IndexeddbPersistence
  readonly #tracker: SaveTracker
  readonly #events: ConnectionEvents
  readonly #offlineCopyName: string
  readonly #cleanups: (() => void)[] = []
  #everConnected = false

  link = $state<LinkState>('connecting')
  /** The document has been loaded from the offline copy (or the wait for it is over). */
  localReady = $state(false)
  /** The relay has sent its state since the last (re)connection. */
  synced = $state(false)
  /** The server has stored everything this browser holds. */
  saved = $state(true)
  /**
   * Since when (ISO time) the server says it cannot store this board's changes,
   * or null: its own presence entry says so while commits fail. Edits stay in
   * this browser and the server, which keeps retrying.
   */
  savingFailingSince = $state<string | null>(null)
  /** The last restore that replaced this board, while the server tells of it (its own presence entry). */
  restoreNotice = $state<RestoreNotice | null>(null)
  /**
   * Set while the board is past its size limit, as the server tells it: it
   * takes only deletions, and what this browser adds meanwhile waits here
   * (and in the offline copy) until there is room again.
   */
  boardFull = $state<BoardFullNotice | null>(null)
  /**
   * Changes made in this page that the server has not confirmed yet (one per
   * edit: a keystroke, a move, a link). Changes waiting in the offline copy
   * from an earlier visit are not counted: `saved` is false for those too.
   */
  waiting = $state(0)
  /**
   * A deletion made here waits for the server: what it deleted is still on
   * the board for everyone else. A full board may not take it (it splits text
   * past the board's headroom, or would join a run of marks the rest of the
   * change kept apart), and it is sent again at every sync until there is room.
   */
  deletionsWaiting = $state(false)

  constructor(boardId: string, offlineCopyName: string, events: ConnectionEvents) {
    this.#events = events
    this.#offlineCopyName = offlineCopyName
    this.#offlineCopy = new IndexeddbPersistence(offlineCopyName, this.doc)
    this.provider = new WebsocketProvider(location.origin.replace(/^http/, 'ws') + WEBSOCKET_PATH, boardId, this.doc, {
      connect: false,
      params: {},
    })
    this.#tracker = new SaveTracker(this.doc)
    this.#cleanups.push(trackProvider(this.#tracker, this.provider, this.#refresh))
    this.provider.on('status', this.#refresh)
    this.provider.on('sync', this.#refresh)
    this.provider.on('closed', this.#onClosed)
    this.provider.on('connection-close', this.#onConnectionClose)
    // The server drops this page's changes and says why once (a reviewer's, or additions to a full board): the role is
    // asked again, as it may have changed while this page was away, and a read-only page then shows what it refused.
    this.provider.messageHandlers[messageAuth] = (_encoder, decoder) => readAuthMessage(decoder, this.doc, () => this.#events.onAccessChanged())
    this.#cleanups.push(keepOwnPresence(this.provider.awareness))
    this.#cleanups.push(takeFreshIdWhenTaken(this.provider))
    this.provider.awareness.on('change', this.#readServerNotice)
    this.doc.on('update', this.#countWaiting)
    window.addEventListener('online', this.#onOnline)
    window.addEventListener('offline', this.#onOffline)
    this.#cleanups.push(() => {
      this.provider.off('status', this.#refresh)
      this.provider.off('sync', this.#refresh)
      this.provider.off('closed', this.#onClosed)
      this.provider.off('connection-close', this.#onConnectionClose)
      this.provider.awareness.off('change', this.#readServerNotice)
      this.doc.off('update', this.#countWaiting)
      window.removeEventListener('online', this.#onOnline)
      window.removeEventListener('offline', this.#onOffline)
    })
  }

  get awareness() {
    return this.provider.awareness
  }

  /** Loads the offline copy, then connects: the relay then sends only what the copy lacks. */
  async start(): Promise<void> {
    await Promise.race([this.#offlineCopy.whenSynced, new Promise((resolve) => setTimeout(resolve, OFFLINE_COPY_WAIT_MS))])
    this.localReady = true
    if (navigator.onLine) this.provider.connect()
    this.#refresh()
  }

  destroy(): void {
    // The note of unsaved changes outlives the page (offline-copies.ts): they wait in the offline copy, sent when it opens again.
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
    this.provider.destroy()
    void this.#offlineCopy.destroy()
    this.doc.destroy()
  }

  readonly #refresh = (): void => {
    const connected = this.provider.wsconnected
    if (connected) this.#everConnected = true
    this.link = !navigator.onLine ? 'offline' : connected ? 'connected' : this.#everConnected ? 'reconnecting' : 'connecting'
    this.synced = this.provider.synced
    this.saved = this.#tracker.saved
    this.deletionsWaiting = !this.saved && this.#tracker.deletionsWaiting
    if (this.saved) this.waiting = 0
    // Saved only once the offline copy has loaded: before that, the empty document says nothing of what the copy holds.
    if (!this.saved || this.#offlineCopy.synced) noteUnsaved(this.#offlineCopyName, !this.saved)
  }

  /** Counts this page's own edits: not what the server or the offline copy brought in. */
  readonly #countWaiting = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.provider || origin === this.#offlineCopy) return
    this.waiting++
  }

  readonly #readServerNotice = (): void => {
    const states = this.provider.awareness.getStates()
    this.savingFailingSince = savingFailingSince(states)
    const restored = restoreNotice(states)
    if (restored?.id !== this.restoreNotice?.id) this.restoreNotice = restored
    const full = boardFullNotice(states)
    const roomMade = this.boardFull !== null && full === null && this.provider.wsconnected
    this.boardFull = full
    // The server dropped what this browser added while the board was full; a fresh sync sends it again.
    if (roomMade && !this.#tracker.saved) {
      this.provider.disconnect()
      this.provider.connect()
    }
  }

  /**
   * Drops what this browser holds that the server has not saved, the offline
   * copy included, and opens the board afresh: the way out for changes a full
   * board will not take, which would otherwise be sent again at every visit.
   */
  async discardUnsaved(): Promise<void> {
    this.provider.disconnect()
    await this.#offlineCopy.clearData()
    noteUnsaved(this.#offlineCopyName, false)
    location.reload()
  }

  /**
   * The server reloaded the board from its log (4012). Its document may now
   * differ from this one under ids both hold: an editor who wrote two
   * different changes under one client id to two instances leaves one of them
   * out of the log, and Yjs never replaces what it already holds under an id,
   * so reconnecting with this document (or its offline copy) would keep the
   * content the log lost. With nothing unsaved here (the offline copy loaded,
   * so nothing from an earlier visit waits in it), all this browser holds is
   * on the server: the document and its offline copy are dropped and the
   * board opened afresh. With something unsaved, the provider reconnects and
   * sends it again, as for any reset: dropping it would lose this person's
   * work, and it cannot be told apart from what it was written on top of.
   * Says whether it dropped them.
   */
  #reopenIfSaved(): boolean {
    if (!this.#tracker.saved || !this.#offlineCopy.synced) return false
    this.dropAndReopen()
    return true
  }

  /**
   * Drops this document and its offline copy, unsaved changes included, and
   * has the page open the board afresh from the server: for a read-only page
   * (a reviewer's, an archived board's), whose unsaved changes the server
   * will never take, after the person has been shown them.
   */
  dropAndReopen(): void {
    // Maybe called as the provider closes the socket: it must not open a new one with this document.
    this.provider.shouldConnect = false
    void this.#offlineCopy.destroy()
    // Synchronously, before the board's next copy opens: IndexedDB opens it after the deletion, empty.
    void clearDocument(this.#offlineCopyName)
    noteUnsaved(this.#offlineCopyName, false)
    // The page replaces this connection before it handles any more input: no edit lands in the dropped document.
    this.#events.onReloaded()
  }

  // The browser says when the network goes and comes back; the socket may take long to notice on its own.
  readonly #onOffline = (): void => {
    this.provider.disconnect()
    this.#refresh()
  }

  readonly #onOnline = (): void => {
    this.provider.connect()
    this.#refresh()
  }

  /** Closes the provider will not retry by itself (codes 4400–4499): this browser sent what the server refuses. */
  readonly #onClosed = (event: { code: number; reason: string }): void => {
    // A deleted board is no failure of this browser: the page asks again, and learns the board is gone.
    if (event.code === CLOSE.boardDeleted.code) {
      this.#events.onAccessChanged()
      return
    }
    this.#events.onFailed(
      `The server closed this board's connection (${event.reason || `code ${event.code}`}). Reload the page; changes not yet saved are kept in this browser.`,
    )
    this.#refresh()
  }

  /**
   * The provider reconnects by itself; the page learns why the socket closed.
   * A change of rights means the role must be asked again, and so does the end
   * of the session (the API's 401 then sends the person to sign in); an
   * upgrade the server refuses (401, 403, 404) never opens, and after a few in
   * a row the page asks the API why rather than retrying blindly.
   */
  readonly #onConnectionClose = (event: CloseEvent | null): void => {
    if (event?.code === CLOSE.boardReloaded.code && this.#reopenIfSaved()) return
    if (event?.code === CLOSE.accessChanged.code || event?.code === CLOSE.sessionEnded.code) this.#events.onAccessChanged()
    else if (!this.provider.wsconnected && this.provider.wsUnsuccessfulReconnects === 3) this.#events.onAccessChanged()
  }
}

/** The time in the server's own presence entry saying that saving is failing, if there is one. */
function savingFailingSince(states: Map<number, Record<string, unknown>>): string | null {
  for (const state of states.values()) {
    const server = (state as Partial<ServerPresence>).server
    if (server?.saving === 'failing' && typeof server.since === 'string') return server.since
  }
  return null
}

/** The server's notice that the board is full, if it is giving one. */
function boardFullNotice(states: Map<number, Record<string, unknown>>): BoardFullNotice | null {
  for (const state of states.values()) {
    const full = (state as Partial<ServerPresence>).server?.full
    if (full && typeof full.bytes === 'number' && typeof full.limit === 'number') return full
  }
  return null
}

/** The server's notice of the last restore, if it is telling one. */
function restoreNotice(states: Map<number, Record<string, unknown>>): RestoreNotice | null {
  for (const state of states.values()) {
    const restored = (state as Partial<ServerPresence>).server?.restored
    if (restored && typeof restored.id === 'string' && typeof restored.by === 'string' && typeof restored.snapshot?.label === 'string') return restored
  }
  return null
}
