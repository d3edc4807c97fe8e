/**
 * Assay's settings for a benchmark's server. The per-person and
 * per-connection rates protect a server from its members; a benchmark's load
 * is one account typing flat out, and opening board after board, on purpose.
 * Left at their defaults, they close the typist's socket, and the figures
 * would time its reconnect. Every client connects from one address, more of
 * them than one address may hold.
 */
export const BENCH_LIMITS = {
  WS_MAX_CONNECTIONS_PER_PERSON: '10000',
  WS_MAX_CONNECTIONS: '100000',
  WS_MAX_MESSAGES_PER_SECOND: '1000000',
  WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(2 ** 40),
  LOADED_BYTES_PER_MINUTE_PER_PERSON: String(2 ** 40),
  HTTP_CONNECTIONS_PER_ADDRESS: '1000000',
}
