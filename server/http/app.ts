/**
 * The HTTP application: the API under /api, the relay under /ws, the client
 * for everything else. Sub-apps are mounted in the order a request meets them.
 */
import { existsSync } from 'node:fs'
import { serveStatic } from '@hono/node-server/serve-static'
import { OpenAPIHono } from '@hono/zod-openapi'
import { secureHeaders } from 'hono/secure-headers'
import { LIMITS } from '../../shared/limits.ts'
import { WEBSOCKET_PATH } from '../../shared/protocol.ts'
import { checkReadiness } from '../health/readiness.ts'
import { countRequests } from '../metrics/count-requests.ts'
import { metricsRoute } from '../metrics/metrics-route.ts'
import { asJobOwner } from '../workers/job-owner.ts'
import type { Services } from '../services.ts'
import type { AppEnv, SignedInEnv } from './app-env.ts'
import { adminApi } from './admin-api.ts'
import { AnswersInFlight, answersInFlightLimit } from './answers-in-flight.ts'
import { authenticateOnceBodyIsIn, callerNow } from './authentication.ts'
import { availabilityGuard } from './availability-guard.ts'
import { answerByShutdownDeadline } from './shutdown-deadline.ts'
import { meApi, publicAuthApi } from './auth-api.ts'
import { bodySizeLimit, formLimit, jsonShapeLimit } from './body-limits.ts'
import { clientAddress } from './client-address.ts'
import { boardContentApi } from './board-content-api.ts'
import { boardLifecycleApi } from './board-lifecycle-api.ts'
import { boardsApi } from './boards-api.ts'
import { checksApi } from './checks-api.ts'
import { exportApi } from './export-api.ts'
import { historyApi } from './history-api.ts'
import { importApi } from './import-api.ts'
import { errorBody } from './errors.ts'
import { handleAppError } from './saving-delayed.ts'
import { boardInvitesApi, invitesApi, publicInvitesApi } from './invites-api.ts'
import { membersApi } from './members-api.ts'
import { noStore } from './no-store.ts'
import { reviewApi } from './review-api.ts'
import { sameOriginGuard } from './same-origin-guard.ts'
import { snapshotsApi } from './snapshots-api.ts'
import { tokensApi } from './tokens-api.ts'
import { isWebsocketUpgrade, websocketRoute } from './websocket-route.ts'
import { projectPath } from '../project-root.ts'

export const CLIENT_DIST = projectPath('dist', 'client')

export function createApp(services: Services): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>()
  app.onError(handleAppError)
  if (services.metrics) app.use(countRequests(services.metrics))
  app.use(async function provideServices(c, next) {
    c.set('services', services)
    c.set('logger', services.logger)
    await next()
  })
  const pageHeaders = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
  })
  // Every answer but a websocket handshake's: that one is a 101 or a refusal without a body, never a page, and copying a dozen headers into it cost every socket as it opened.
  app.use(function securePages(c, next) {
    return isWebsocketUpgrade(c.req.raw) ? next() : pageHeaders(c, next)
  })

  // Liveness: the process answers. Readiness: it can serve (the database answers), for load balancers.
  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/readyz', async (c) => {
    const readiness = await checkReadiness(services)
    return c.json(readiness, readiness.ready ? 200 : 503)
  })
  // First on /api, so that a refusal of any kind (503, 401, 404) is not stored either.
  app.use('/api/*', noStore())
  app.use('/api/*', availabilityGuard())
  app.use('/api/*', answerByShutdownDeadline())
  app.use(`${WEBSOCKET_PATH}/*`, availabilityGuard())
  // On the main port only with a token; on a port of its own otherwise (server.ts), or off.
  const { METRICS_TOKEN, METRICS_PORT } = services.config
  if (services.metrics && METRICS_TOKEN !== undefined && METRICS_PORT === undefined) app.route('/', metricsRoute(services.metrics, METRICS_TOKEN))
  else app.get('/metrics', (c) => c.json(errorBody('not_found', 'Metrics are not served here: see METRICS_TOKEN and METRICS_PORT.'), 404))

  const api = new OpenAPIHono<AppEnv>()
  api.use(bodySizeLimit(LIMITS.maxBodyBytes))
  api.use('/auth/*', bodySizeLimit(LIMITS.maxPublicBodyBytes))
  api.use(sameOriginGuard())
  // Public routes come before the signed-in ones, whose authentication middleware answers 401 without a credential.
  api.route('/', publicAuthApi())
  api.route('/', publicInvitesApi())
  api.route('/', signedInApi(services))
  app.doc31('/api/openapi.json', { openapi: '3.1.0', info: { title: 'Assay API', version: '1' } })
  app.route('/api', api)
  app.all('/api/*', (c) => c.json(errorBody('not_found', `No API route ${c.req.method} ${c.req.path}.`), 404))

  app.route(WEBSOCKET_PATH, websocketRoute())

  if (existsSync(CLIENT_DIST)) {
    app.use('/*', serveStatic({ root: CLIENT_DIST }))
    // The client routes in the browser: every other page is the app's index.
    app.get('/*', serveStatic({ root: CLIENT_DIST, path: 'index.html' }))
  } else {
    app.get('/', (c) => c.text('The client is not built yet: run `npm run build` (npm start does it for you).', 503))
  }
  return app
}

/** Every route that needs a caller: the caller's own, the admin's, and one board's under `/boards/:id`. */
function signedInApi(services: Services): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>()
  const { HTTP_ANSWERS_IN_FLIGHT_PER_PERSON, HTTP_SEND_TIMEOUT_MS, TRUST_PROXY } = services.config
  const answers = new AnswersInFlight({ perPerson: HTTP_ANSWERS_IN_FLIGHT_PER_PERSON, sendTimeoutMs: HTTP_SEND_TIMEOUT_MS, behindProxy: TRUST_PROXY > 0 })
  api.use(async function authenticate(c, next) {
    const principal = await callerNow(c)
    // The long work this request asks of the worker pool is this person's (or, without accounts, this address's),
    // and is dropped or stopped once the client has gone (the request's signal aborts when its connection closes unanswered).
    await asJobOwner(principal.userId ?? `address ${clientAddress(c)}`, next, c.req.raw.signal)
  })
  api.use(answersInFlightLimit(answers))
  // After authentication, so that only a signed-in caller's body is ever read here.
  api.use(jsonShapeLimit({ depth: LIMITS.maxJsonDepth, values: LIMITS.maxJsonValues, keysPerObject: LIMITS.maxJsonKeysPerObject }))
  api.use(formLimit({ parts: LIMITS.maxFormParts, headerBytes: LIMITS.maxFormPartHeaderBytes }))
  // A body may arrive long after the headers: every route reads the caller as decided once it is in.
  api.use(authenticateOnceBodyIsIn())
  for (const part of [meApi(), tokensApi(), adminApi(), invitesApi(), boardsApi()]) api.route('/', part)
  api.route('/boards/:id', boardApi())
  return api
}

/** The routes of one board; each declares the role it needs with `boardRole`. */
function boardApi(): OpenAPIHono<SignedInEnv> {
  const board = new OpenAPIHono<SignedInEnv>()
  const parts = [boardContentApi(), boardLifecycleApi(), importApi(), exportApi(), checksApi(), membersApi(), boardInvitesApi(), snapshotsApi(), historyApi(), reviewApi()]
  for (const part of parts) board.route('/', part)
  return board
}
