/** Reading the Prometheus text format that GET /metrics answers. */
import type { Services } from '../../server/services.ts'

/** A token for test servers' metrics: metrics are counted only on a server that serves them. */
export const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789'

/** A test server's metrics now, read in the process; the server was started with METRICS_TOKEN (or METRICS_PORT). */
export function metricsText(server: { services: Services }): Promise<string> {
  if (!server.services.metrics) throw new Error('start the server with METRICS_TOKEN: metrics are counted only where they are served')
  return server.services.metrics.render()
}

/** The value of one sample, or undefined when it is absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = line.match(/^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/)
    if (!match || match[1] !== name) continue
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]))
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3])
  }
  return undefined
}
