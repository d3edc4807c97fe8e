/**
 * serve-open.ts's server, printing `reads the fetch global <name>` on a line
 * of its own when anything first reads one of the globals that make Node load
 * its fetch implementation (undici), with the reading module's place: a test
 * sees whether the server loaded it, and when. Loads of the HTTP API's module
 * are printed as well (watch-api-load.ts).
 */
import './watch-fetch-globals.ts'
import './watch-api-load.ts'

// Imported once the hook watches: every static import of a module graph is loaded before any of it runs.
await import('./serve-open.ts')
