/**
 * Size limits both sides enforce. The server also feeds `maxMessageBytes` to the
 * websocket's max payload, so an oversized frame is refused before it is read.
 */
export const LIMITS = {
  /** A title, a name, a marking. */
  shortText: 500,
  /** A judgment, a claim, a note. */
  longText: 20_000,
  /** One websocket frame (a y-protocols message). A full board sync can be large. */
  maxMessageBytes: 16 * 1024 * 1024,
  /** One HTTP request body. */
  maxBodyBytes: 4 * 1024 * 1024,
  /** The body of a request anyone may send before signing in (sign-in, setup): an email, a name, a password. */
  maxPublicBodyBytes: 16 * 1024,
  /**
   * The shape of a JSON request body, checked before it is parsed, since parsing
   * costs by the values a body holds: its nesting (a batch operation's input is
   * the deepest the API takes, at five), its values in all (a batch of 1,000
   * operations holds some 20,000), and the keys of one object.
   */
  maxJsonDepth: 32,
  maxJsonValues: 100_000,
  maxJsonKeysPerObject: 1_000,
  /**
   * The shape of a multipart form, checked before it is parsed, since parsing
   * costs by its parts and their header lines: its parts (the one form the API
   * takes, an import, has a file and two fields), and the bytes of one part's
   * headers (a browser's are a few hundred).
   */
  maxFormParts: 16,
  maxFormPartHeaderBytes: 8 * 1024,
  /** One imported source document. */
  maxDocumentBytes: 2 * 1024 * 1024,
  /**
   * Nesting of an imported HTML document's elements. Reading it as text
   * recurses by its depth, and overflowed a main thread's stack at 1,375
   * nested lists; an article nests a few dozen.
   */
  maxHtmlDepth: 256,
} as const

/**
 * What one connection may cost the relay. Each is the default of a setting in
 * server/config.ts (README: "What a member cannot do").
 */
export const RELAY_LIMITS = {
  /** Open websockets per person on one instance (HTTP 429 beyond). */
  connectionsPerPerson: 20,
  /** Open websockets on one instance (HTTP 503 beyond). */
  connections: 2000,
  /** Incoming frames a second per person, over all their connections to the instance, with a burst of two seconds' worth. */
  messagesPerSecond: 200,
  /**
   * Incoming bytes a second per person, likewise; a burst may hold one frame of
   * the largest size. A byte of update costs the relay up to about 200 ns to
   * apply, so a person can hold it at most a fifth of the time.
   */
  bytesPerSecond: 1024 * 1024,
  /**
   * Bytes of change one person may add to boards an hour on the instance,
   * over all their connections and their HTTP edits and imports together,
   * counted as the board takes them in (what a client sends again that the
   * board already holds costs nothing). Each byte
   * stays stored, and a loaded board holds up to some 30 times its stored bytes
   * in memory: at the bytes a second alone, one editor could add 3.6 GB an hour.
   * An analyst typing flat out adds a few megabytes.
   */
  writtenBytesPerHour: 16 * 1024 * 1024,
  /**
   * Stored bytes of boards one person's sockets and HTTP changes may load on
   * an instance a minute (all at once, then refilled over the minute). Loading
   * applies the whole board on the relay's thread (the board of 1,000
   * assessments, 3.8 MB: about 0.3 s), so opening board after board that
   * nobody else holds could keep it busy for everyone.
   */
  loadedBytesPerMinute: 64 * 1024 * 1024,
  /**
   * Stored bytes of boards nobody held that the instance loads a minute, for
   * everyone together, one board at a time (a sixth of it at once, then
   * refilled over the minute; server/relay/cold-loads.ts). A load costs the
   * relay's thread some 0.25 s per stored MB (a board of 15 MB 3 to 5 s), so
   * loads hold it at most some 15% of the time, whoever asks: past it a board
   * nobody holds is refused until the minute refills, a board loaded never.
   * One person's loads are held to half of it, and those they owe past their
   * half do not refuse the others' until the minute is half of it below empty.
   */
  instanceLoadedBytesPerMinute: 32 * 1024 * 1024,
  /**
   * Bytes of board the instance encodes a second for sync replies of their
   * own (a page behind the board asking with its state vector), for everyone
   * together, beside each person's `bytesPerSecond` of them; with a burst of
   * two seconds' worth. Past either, the reply is the whole state kept
   * encoded, correct for any vector. As much as one person's: several
   * accounts asking together cost the relay's thread no more than one.
   */
  instanceEncodedBytesPerSecond: 1024 * 1024,
  /**
   * Stored bytes one board may grow to (its latest checkpoint and the log rows
   * after it: what loading it reads). Past it the board takes only deletions
   * until deleting has made room (server/relay/board-size-limit.ts). A
   * loaded board holds some 30 times its stored bytes in memory; the board of
   * 1,000 assessments is 3.8 MB. Half the instance's loaded bytes a minute,
   * one person's share of it: a full board's load, counted by its structs
   * (relay/load-cost.ts), then never leaves the instance's minute below the
   * floor at which it refuses the others' loads (red team 39a: at 32 MiB,
   * the whole minute, one person's dense board reopened every time it
   * unloaded kept everyone else's boards from loading 50 s a minute).
   */
  boardBytes: 16 * 1024 * 1024,
  /**
   * The largest message a connection that cannot change the board may send (a
   * reviewer's, or any on an archived board): its state vectors, presence and
   * replies take kilobytes; one that can may send LIMITS.maxMessageBytes.
   */
  readOnlyMessageBytes: 1024 * 1024,
  /**
   * Bytes of messages still arriving (a frame is held whole before it is
   * read), over all connections of the instance; one person's together hold
   * at most LIMITS.maxMessageBytes.
   */
  unfinishedBytes: 256 * 1024 * 1024,
  /**
   * A message may take this long to arrive, and then a second more for each
   * `messageMinBytesPerSecond` bytes of it that have come: 16 MiB may take
   * 266 s, at 512 kbit/s.
   */
  messageTimeoutMs: 10_000,
  messageMinBytesPerSecond: 64 * 1024,
  /** Every connection is pinged this often, and ended when nothing came from it since the previous ping. */
  pingIntervalMs: 30_000,
  /** Bytes queued to one connection that reads too slowly. */
  queuedBytesPerConnection: 32 * 1024 * 1024,
  /** Bytes queued to slow readers across all connections of the instance. */
  queuedBytes: 256 * 1024 * 1024,
  /** One presence state, as JSON. */
  presenceBytes: 4096,
  /** Nesting of objects and arrays in one presence state. */
  presenceDepth: 8,
  /** Presence changes applied per connection a second; what comes faster is coalesced (the latest per client id wins). */
  presenceUpdatesPerSecond: 10,
  /**
   * Bytes of presence (as stamped JSON) one person's connections may have
   * applied a second on an instance, with a burst of two seconds' worth; what
   * comes faster waits, the latest per client id winning. Each byte goes out
   * to everyone in the room (and came back from each of them, the stock
   * client sending back what it receives): a reviewer's 6 sockets changing
   * 4 states of 3.8 KB ten times a second held the relay's thread 80 to 100%
   * in a room of 50. The app's own state (name, colour, focus, a text
   * cursor) is some 600 bytes, changed at most ten times a second per tab.
   */
  presenceBytesPerSecond: 32 * 1024,
  /** Awareness client ids one connection may introduce (the stock client uses one). */
  presenceClientsPerConnection: 4,
  /**
   * A removed client id's last clock is kept this long (y-protocols' own
   * outdatedTimeout): the stock client sends back every presence change it
   * receives, so an old state of a client that has left may still arrive,
   * and must not bring it back. Then it is forgotten, so that presence does
   * not grow with every client that ever came; whose the id is stays known.
   */
  presenceRememberRemovedMs: 30_000,
  /** Bytes of a connection's changes held while they wait for content the server lacks, in Yjs's v1 encoding (the one the relay checks and applies). */
  pendingUpdateBytes: 1024 * 1024,
  /** A failed commit is retried after 200 ms, doubling up to this. */
  commitRetryMaxMs: 5000,
  /** Edits waiting this long to be committed (commits failing, hanging or slow) tell the board's clients that saving is failing. */
  commitFailingNoticeMs: 10_000,
  /** An HTTP read or change of a board waits this long for the board's commit in flight before it is answered 503. */
  commitWaitMs: 10_000,
  /**
   * A board nobody has open stays loaded this long, so that a reload, the
   * reconnects after a network blip, or opening a board just created find it
   * loaded instead of reading and applying it again. 0 unloads at once.
   */
  idleRoomMs: 10_000,
  /** Loaded boards nobody has open, at most; past it the one idle longest unloads at once. */
  idleRooms: 64,
  /**
   * The same by size: the stored bytes those boards were loaded from and have
   * committed since, in all (a room holds some 30 times that in memory).
   */
  idleRoomBytes: 32 * 1024 * 1024,
  /**
   * After a board's room on an instance was reset because another instance
   * stored, under one client id, other content than it holds (one editor
   * writing the same ids differently to two instances), its next such reset
   * there waits this long: every reset closes every socket on the board and
   * loads it again, and an editor forging a fresh client id a round kept
   * honest clients down more than half the time. A rewrite found meanwhile is
   * not applied, and the board reloads once when the wait ends
   * (server/relay/rewrite-resets.ts).
   */
  rewriteResetIntervalMs: 20_000,
} as const

export type RelayLimits = { [K in keyof typeof RELAY_LIMITS]: number }

/**
 * What one client's HTTP connections may cost an instance. Each is the default
 * of a setting in server/config.ts (README: "What a member cannot do").
 */
export const HTTP_LIMITS = {
  /**
   * Answers one person may have in flight at once on an instance, over all
   * their connections (server/http/answers-in-flight.ts). A browser opens at
   * most six connections to a server; a reviewer's 200 connections, each
   * holding the answer of a 3 MB board unread, held 627 MB of the host's TCP
   * memory.
   */
  answersInFlightPerPerson: 16,
  /**
   * The longest a connection may go with nothing moving on it while it is
   * sent an answer. An answer is written in one piece, so what the kernel
   * could not take of it at once must be taken whole within it: 16 MB beyond
   * the kernel's buffer at about 1 Mbit/s.
   */
  sendTimeoutMs: 120_000,
  /**
   * The longest a request's headers may take to arrive, from its first byte (or
   * from the connection's opening, for its first request). A browser's arrive
   * in one packet; an idle keep-alive connection is not waiting for headers,
   * and stays open its 65 s.
   */
  headersTimeoutMs: 20_000,
  /**
   * The longest a whole request may take to arrive, its body included, from
   * its first byte (Node's default is 300 s). The largest body the API takes,
   * a source import of 4 MiB, needs some 70 KB/s (0.6 Mbit/s) within it. A
   * signed-in route decides its caller again once the body is in, so a body
   * held back does not keep a right taken away meanwhile; this bounds how long
   * it holds a connection.
   */
  requestTimeoutMs: 60_000,
  /**
   * Connections one client address may hold open at once (an IPv6 address by
   * its /64, which one host or household holds), when no proxy stands in
   * front: a browser holds six and a websocket for each board open; raise it
   * for a large team behind one NAT.
   */
  connectionsPerAddress: 256,
  /**
   * The share of the process's open-file limit its connections may take; the
   * rest is kept for the database, Redis, the worker threads and files served.
   */
  connectionsShareOfOpenFiles: 0.9,
  /**
   * Costly reads of a board's history (as of a past time, for a read, an
   * export or a snapshot; the editing sessions) one person may have in flight
   * at once on an instance (server/http/history-reads.ts): the history view
   * asks for the sessions and one moment at a time.
   */
  historyReadsPerPerson: 2,
  /**
   * Different costly history reads an instance computes at once, identical
   * ones sharing one: each reads tens of thousands of log rows, on SQLite on
   * the relay's thread.
   */
  historyReadsPerInstance: 4,
  /**
   * Different reads of the live board from storage (nobody has it open on the
   * instance) computed at once, apart from those of the past: bounded by the
   * board's size, they must never wait behind rebuilds of past moments.
   */
  historyLiveReadsPerInstance: 2,
  /**
   * Bytes of completed history reads an instance keeps for the next identical
   * read (server/http/history-read-cache.ts): a reviewer re-firing one read
   * otherwise kept a fold of the log running, doubling or tripling an honest
   * typist's round trip. 0 keeps none.
   */
  historyReadCacheBytes: 32 * 1024 * 1024,
  /**
   * Imports one person may have in flight at once on an instance over HTTP
   * (server/http/imports-in-flight.ts; the page imports into its own copy of
   * the board, over its socket): each is applied in the process's one lane
   * for imports, holding the relay's thread 0.4 s for 10,000 claims on a
   * quiet machine, seconds on a loaded one.
   */
  importsPerPerson: 2,
  /**
   * Import previews one person may have in flight at once on an instance over
   * HTTP, apart from their imports (server/http/imports-in-flight.ts; the page
   * previews in its own copy of the board): each reads its board's whole
   * stored log, on PostgreSQL holding one of the pool's connections, on
   * SQLite the relay's thread.
   */
  previewsPerPerson: 2,
  /**
   * Sign-ins and password changes whose password an instance checks at once
   * (server/auth/password-checks.ts): each check is some 40 ms of a core on
   * libuv's pool, so two check some 50 passwords a second, far more than
   * people sign in, and leave two of the pool's four threads to file reads and DNS.
   */
  passwordChecksInFlight: 2,
  /**
   * Sign-ins and password changes that wait for a check's place, each at most
   * passwordCheckWaitMs: 32 are served within some 0.7 s at two in flight, a
   * team signing in at once; a flood past them is refused at once.
   */
  passwordChecksWaiting: 32,
  passwordCheckWaitMs: 2000,
  /**
   * Places among those (in flight or waiting) one email holds at once: a
   * flood naming one account's email from many addresses otherwise filled
   * the queue until that account's ceiling of failures.
   */
  passwordChecksPerEmail: 1,
} as const
